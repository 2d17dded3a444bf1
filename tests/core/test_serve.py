"""``casework serve --with-worker`` (what ``make run`` starts): gunicorn serves pages and a
``casework worker`` beside it runs the queued jobs; stopping the server stops the worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.monitoring.test_worker import REPOSITORY, _database_url, record_job, recorded, wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child reaped by nobody yet is a zombie: it has exited.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


@pytest.mark.django_db(transaction=True)
def test_serve_with_worker_runs_jobs_and_stops_with_the_server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "CASEWORK_DATABASE_URL": _database_url(),
        "CASEWORK_DATA_DIR": str(tmp_path),
        "CASEWORK_LOG_LEVEL": "INFO",
    }
    command = ["serve", "--port", str(port), "--workers", "1", "--with-worker"]
    server = subprocess.Popen(
        [sys.executable, "-m", "casework", *command],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker_pid = None
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "casework worker is running beside it" in line:
                worker_pid = int(line.rsplit("pid ", 1)[1].rstrip(")\n"))
                break
        assert worker_pid is not None
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/login/"), timeout=60)
        record_job.enqueue(7)
        wait_for(lambda: recorded() == ["7"], timeout=60)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=45)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert worker_pid is not None and not _alive(worker_pid)
