"""``casework serve``: gunicorn serving casework (static files through WhiteNoise); with
``--with-worker``, also one ``casework worker`` beside it (what ``make run`` does), stopped with
the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve casework over HTTP with gunicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("CASEWORK_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("CASEWORK_PORT", "8000"))
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run one `casework worker` (jobs, the sweep every CASEWORK_SWEEP_MINUTES, "
            "the daily digest) until the server stops. Production runs workers on their own.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from casework.wsgi import application

        bind = f"{options['host']}:{options['port']}"
        config = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "accesslog": "-",
            "timeout": 120,
        }

        class Server(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        self.stdout.write(f"casework is serving on http://{bind}/ (Ctrl+C to stop)")
        worker = self._start_worker() if options["with_worker"] else None
        try:
            Server().run()
        finally:
            if worker is not None:
                self._stop_worker(worker)

    def _start_worker(self) -> subprocess.Popen[bytes]:
        """``casework worker`` as a child process with the same settings (environment)."""
        worker = subprocess.Popen([sys.executable, "-m", "casework", "worker"])
        self.stdout.write(f"casework worker is running beside it (pid {worker.pid})")
        return worker

    def _stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGTERM lets the worker finish its running job; after 30 s it is killed."""
        if worker.poll() is not None:
            return
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
