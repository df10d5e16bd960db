"""`./dev run` as a newcomer sees it: one worker process, each request logged once."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _dev_run_arguments(command: str) -> list[str]:
    """The arguments `./dev run` gives a manage.py command."""
    script = (ROOT / "dev").read_text(encoding="utf-8")
    match = re.search(rf"^\s*\$M {command}\b(.*?)(?:&\s*)?$", script, re.M)
    assert match, f"./dev run does not start {command}"
    return shlex.split(match.group(1).replace('"${PORT}"', "8000").replace("${PORT}", "8000"))


def test_the_worker_runs_without_the_autoreloader(settings: Any) -> None:
    """In development (DEBUG) db_worker reloads by default: a watcher process plus the worker."""
    from django_tasks_db.management.commands.db_worker import Command

    settings.DEBUG = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    options = Command().create_parser("manage.py", "db_worker").parse_args(_dev_run_arguments("db_worker"))
    assert options.reload is False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_client_error_is_logged_once_by_the_development_server(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.development",
        "CREDITBANK_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(server.stdout or []), daemon=True)
    reader.start()

    def logged() -> list[str]:
        return [line for line in list(output) if "/no-such-page-here/" in line]

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page-here/", timeout=5)  # noqa: S310
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
                break
            except OSError:
                assert server.poll() is None, "".join(output)
                assert time.monotonic() < deadline, "the development server did not start"
                time.sleep(0.2)
        # The server writes the request's line after it answered: wait for it (a busy machine is slow).
        while not logged() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=30)
    lines = logged()
    assert len(lines) == 1, "".join(output)
    assert " 404 " in lines[0]
