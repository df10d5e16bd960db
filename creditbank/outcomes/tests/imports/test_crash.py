"""The crash test: an import's worker killed with SIGKILL at random points, run again, ends in
exactly the state of an uninterrupted run of the same file (PostgreSQL).

The worker is ``manage.py run_import`` in a process of its own, on the test database. It is
killed several times: once at a random moment of its start, then each time at a random delay after
the job's cursor was seen to move (inside a chunk's transaction, between chunks, in the last
one), and finally run to its end. The same file (for other learners of a fresh institution) is
imported without interruption, and the two end states are compared after mapping each learner to
its place in the file: outcomes, ledger entries (seq, kind, amount, outcome), balances, the row
report and the job's counts; ``verify_ledger`` checks every hash chain.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from creditbank.institutions.tests.factories import make_manager
from creditbank.outcomes import tasks
from creditbank.outcomes.models import ImportFileChunk, ImportJob
from creditbank.outcomes.services.imports import import_run, import_start
from creditbank.outcomes.tests.imports.files import Setting, csv_bytes, make_setting, outcome_row, state, upload
from tests.vault_files import vault_files

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[4]
LEARNERS = 12
ROWS = 3000
CHUNK = 50


def the_file(setting: Setting) -> bytes:
    """Rows for the learners by their place: by account number and by ID number, with errors and
    duplicates (within the file) among them."""
    rows = []
    for n in range(ROWS):
        i = n % LEARNERS
        learner = setting.learners[i]
        if n % 97 == 13:
            rows.append(outcome_row(learner, n, credits="0"))  # an error
        elif n % 89 == 7:
            rows.append(outcome_row(learner, n - 7))  # the same outcome number again: a duplicate
        elif n % 5 == 0:
            rows.append(outcome_row(None, n, id_number=setting.id_numbers[learner.pk], type="mooc"))
        else:
            rows.append(outcome_row(learner, n, result_scheme="gpa4", result_value=f"{1 + n % 3}.50"))
    return csv_bytes(rows)


def worker(job_id: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url}
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "run_import", str(job_id), "--chunk-rows", str(CHUNK)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def cursor_of(job_id: int) -> tuple[int, str]:
    return ImportJob.objects.values_list("cursor", "status").get(pk=job_id)


class _Queue:
    """The task queue, holding what is enqueued (the tests' backend would run it at once)."""

    def __init__(self) -> None:
        self.jobs: list[int] = []

    def enqueue(self, job_id: int) -> None:
        self.jobs.append(job_id)


def test_a_worker_killed_at_random_points_ends_as_an_uninterrupted_run(make_learner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    queue = _Queue()
    monkeypatch.setattr(tasks, "run_import", queue)
    files_before = vault_files()
    manager = make_manager()
    killed, steady = (make_setting(code, make_learner, learners=LEARNERS, manager=manager) for code in ("kill", "calm"))
    calm_job = import_start(institution=steady.institution, upload=upload(the_file(steady)), actor=steady.issuer)
    import_run(job_id=calm_job.pk, chunk_rows=CHUNK)
    job = import_start(institution=killed.institution, upload=upload(the_file(killed)), actor=killed.issuer)

    seed = random.randrange(1 << 30)
    rnd = random.Random(seed)  # noqa: S311 - test timing, not secrets
    kills: list[tuple[int, str]] = []  # (cursor, status) after each kill
    # 1. a kill while the worker starts (at a random moment, at the latest as its first chunk commits)
    process = worker(job.pk)
    until = time.monotonic() + rnd.uniform(0.05, 1.5)
    while time.monotonic() < until and cursor_of(job.pk)[0] == 0:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kills.append(cursor_of(job.pk))
    # 2. kills at a random delay after the cursor is seen to move
    for _ in range(6):
        cursor, status = cursor_of(job.pk)
        if status == "done":
            break
        process = worker(job.pk)
        deadline = time.monotonic() + 60
        while cursor_of(job.pk)[0] == cursor and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rnd.uniform(0, 0.08))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills.append(cursor_of(job.pk))
    # 3. to the end
    final = worker(job.pk)
    assert final.wait(timeout=300) == 0
    assert queue.jobs == [calm_job.pk, job.pk]

    interrupted = [c for c, s in kills if 0 < c < ROWS and s == "running"]
    assert interrupted, f"no kill landed in the middle of the import (seed {seed}, kills {kills})"
    assert state(killed, job) == state(steady, calm_job), f"seed {seed}, kills {kills}"
    expected_errors = sum(1 for n in range(ROWS) if n % 97 == 13)
    assert state(killed, job)["job"][0:3] == ("done", ROWS, ROWS)
    assert state(killed, job)["job"][6] == expected_errors
    call_command("verify_ledger", stdout=io.StringIO())
    assert ImportFileChunk.objects.count() == 0
    assert vault_files() == files_before
