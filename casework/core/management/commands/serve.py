"""``casework serve``: gunicorn serving casework (static files through WhiteNoise)."""

from __future__ import annotations

import os
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
        Server().run()
