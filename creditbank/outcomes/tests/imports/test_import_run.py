"""import_run: chunk by chunk, resumable, one run at a time per job; XLSX cells and sheets; a file
that breaks partway; the bulk path and the row-by-row path give the same state."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.utils import timezone

from creditbank.institutions.tests.factories import make_manager
from creditbank.kernel.vault import vault
from creditbank.outcomes import tasks
from creditbank.outcomes.models import ImportFileChunk, ImportJob, ImportRow, Outcome
from creditbank.outcomes.services.imports import import_run, import_start, jobs
from creditbank.outcomes.tests.imports.files import (
    HEADER,
    Setting,
    csv_bytes,
    make_setting,
    outcome_row,
    state,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


class _Queue:
    def __init__(self) -> None:
        self.jobs: list[int] = []

    def enqueue(self, job_id: int) -> None:
        self.jobs.append(job_id)


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> _Queue:
    """Jobs are queued, not run at once (as the tests' task backend would): the test runs them."""
    held = _Queue()
    monkeypatch.setattr(tasks, "run_import", held)
    return held


@pytest.fixture
def pair(make_learner: Any) -> tuple[Setting, Setting]:
    manager = make_manager()
    return make_setting("one", make_learner, learners=4, manager=manager), make_setting(
        "two", make_learner, learners=4, manager=manager
    )


def a_file(s: Setting, rows: int = 23) -> bytes:
    out = []
    for n in range(rows):
        learner = s.learners[n % 4]
        if n % 7 == 3:
            out.append(outcome_row(learner, n, credits="abc"))
        elif n % 9 == 8:
            out.append(outcome_row(learner, n - 8))
        else:
            out.append(outcome_row(learner, n))
    return csv_bytes(out)


def start(s: Setting, data: bytes, name: str = "f.csv") -> ImportJob:
    return import_start(institution=s.institution, upload=upload(data, name), actor=s.issuer)


def test_a_run_stopped_by_a_failure_resumes_where_it_stopped(pair: Any, queue: _Queue, monkeypatch: Any) -> None:
    one, two = pair
    calm = start(two, a_file(two))
    import_run(job_id=calm.pk, chunk_rows=5)
    job = start(one, a_file(one))
    real, calls = jobs._commit_chunk, []

    def failing(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs["cursor"])
        if len(calls) == 3:
            real(*args, **kwargs)  # the chunk is written, then the process "dies" before the next
            raise RuntimeError("killed")
        real(*args, **kwargs)

    monkeypatch.setattr(jobs, "_commit_chunk", failing)
    with pytest.raises(RuntimeError):
        import_run(job_id=job.pk, chunk_rows=5)
    job.refresh_from_db()
    assert (job.status, job.cursor, job.processed_rows) == ("running", 15, 15)
    monkeypatch.setattr(jobs, "_commit_chunk", real)
    import_run(job_id=job.pk, chunk_rows=5)
    assert state(one, job) == state(two, calm)
    assert state(one, job)["job"] == ("done", 23, 23, 23, 19, 1, 3)


def test_a_chunk_that_fails_leaves_nothing_of_itself(pair: Any, queue: _Queue, monkeypatch: Any) -> None:
    one, _two = pair
    job = start(one, a_file(one))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("the database went away")

    monkeypatch.setattr(jobs, "insert_rows", broken)
    with pytest.raises(IntegrityError):
        import_run(job_id=job.pk, chunk_rows=5)
    job.refresh_from_db()
    assert (job.cursor, job.processed_rows, ImportRow.objects.count(), Outcome.objects.count()) == (0, 0, 0, 0)


def test_two_runs_of_one_job_never_write_one_chunk_twice(pair: Any, queue: _Queue, monkeypatch: Any) -> None:
    one, two = pair
    calm = start(two, a_file(two))
    import_run(job_id=calm.pk, chunk_rows=5)
    job = start(one, a_file(one))
    real, nested = jobs._check_rows, []

    def meanwhile(*args: Any, **kwargs: Any) -> Any:
        if not nested:  # while the first run holds its first chunk, another run does the whole job
            nested.append(None)
            nested[0] = import_run(job_id=job.pk, chunk_rows=5)
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "_check_rows", meanwhile)
    first = import_run(job_id=job.pk, chunk_rows=5)
    assert nested[0].status == first.status == "done"
    assert state(one, job) == state(two, calm)


def test_xlsx_cells_blank_rows_and_row_numbers(pair: Any, queue: _Queue) -> None:
    one, _two = pair
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    learner = one.learners[0]
    sheet.append(
        [int(learner.account_no), None, "X-1", "mooc", "课程", None, datetime(2024, 5, 1), 2.5, 16, "gpa4", 3.5, 4]
    )
    sheet.append([])  # a blank row: skipped, not reported
    sheet.cell(row=5, column=1, value=learner.account_no)  # row 4 missing altogether (a gap)
    for column, value in enumerate(["X-2", "award", "奖", None, "2024-05-02", "1"], start=3):
        sheet.cell(row=5, column=column, value=value)
    sheet.cell(row=5, column=16, value="a stray note")  # beyond the header's columns
    sheet.cell(row=6, column=1, value=learner.account_no)
    for column, value in enumerate(["X-3", "award", "奖", None, "2024-05-03", "1"], start=3):
        sheet.cell(row=6, column=column, value=value)
    book.create_sheet("说明 README").append(["not read"])
    out = io.BytesIO()
    book.save(out)
    job = start(one, out.getvalue(), "book.xlsx")
    import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.accepted, job.errors) == ("done", 3, 2, 1)
    rows = list(ImportRow.objects.filter(job=job).values_list("row", "external_id", "status", "code"))
    assert rows == [(2, "X-1", "accepted", ""), (5, "X-2", "error", "import_row_cells"), (6, "X-3", "accepted", "")]
    first = Outcome.objects.get(external_id="X-1")
    assert (str(first.achieved_on), first.credits, first.hours, first.result_value, first.level) == (
        "2024-05-01", 2.5, 16, "3.50", 4,
    )  # fmt: skip


def _truncated_xlsx(rows: list[dict[str, str]], keep: int) -> bytes:
    """A workbook whose sheet breaks off after ``keep`` bytes of its XML."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data[:keep]
            target.writestr(info, data)
    return out.getvalue()


def test_a_workbook_that_breaks_partway_ends_failed_after_the_rows_before(pair: Any, queue: _Queue) -> None:
    one, _two = pair
    rows = [outcome_row(one.learners[n % 4], n) for n in range(2000)]
    whole = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    sheet = next(n for n in whole.namelist() if n.startswith("xl/worksheets/sheet"))
    cut = whole.read(sheet).index(b'<row r="1500"') + 40  # the sheet breaks off inside row 1500
    job = start(one, _truncated_xlsx(rows, cut), "cut.xlsx")
    import_run(job_id=job.pk, chunk_rows=100)
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "import_file_unreadable")
    # the rows read before the break are deposited and reported (the XML parser reads in blocks,
    # so the last rows before the break may be lost with it)
    assert 1000 < job.processed_rows == job.accepted < 1499
    assert list(ImportRow.objects.filter(job=job).values_list("row", flat=True)) == list(
        range(2, job.processed_rows + 2)
    )
    assert ImportFileChunk.objects.count() == 0
    assert import_run(job_id=job.pk).status == "failed"  # a finished job stays as it ended


def test_the_bulk_path_and_the_row_by_row_path_end_alike(pair: Any, queue: _Queue, monkeypatch: Any) -> None:
    one, two = pair
    first = start(two, a_file(two, 40))
    import_run(job_id=first.pk, chunk_rows=7)
    monkeypatch.setattr(jobs, "reserve_ids", lambda model, count: None)  # as on a database without sequences
    job = start(one, a_file(one, 40))
    import_run(job_id=job.pk, chunk_rows=7)
    assert state(one, job) == state(two, first)


@pytest.mark.postgres
def test_a_conflict_in_the_bulk_path_falls_back_to_row_by_row(pair: Any, queue: _Queue, monkeypatch: Any) -> None:
    assert connection.vendor == "postgresql"
    one, two = pair
    calm = start(two, a_file(two))
    import_run(job_id=calm.pk, chunk_rows=5)
    real, raised = jobs._deposit_bulk, []

    def conflicting(institution: Any, rows: Any) -> bool:
        if not raised:  # as if a JSON batch deposited one of the chunk's outcome numbers meanwhile
            raised.append(True)
            real(institution, rows)
            raise IntegrityError("duplicate key value violates unique constraint")
        return bool(real(institution, rows))

    monkeypatch.setattr(jobs, "_deposit_bulk", conflicting)
    job = start(one, a_file(one))
    import_run(job_id=job.pk, chunk_rows=5)
    assert raised == [True]
    assert state(one, job) == state(two, calm)


def test_a_job_checks_dates_against_the_day_of_its_upload(pair: Any, queue: _Queue) -> None:
    one, _two = pair
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    job = start(one, csv_bytes([outcome_row(one.learners[0], 1, achieved_on=tomorrow)]))
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() + timedelta(days=2))
    import_run(job_id=job.pk)
    assert ImportJob.objects.get(pk=job.pk).accepted == 1


def test_the_command_runs_and_resumes_jobs(pair: Any, queue: _Queue) -> None:
    one, two = pair
    a, b = start(one, a_file(one)), start(two, a_file(two))
    out = io.StringIO()
    call_command("run_import", "--unfinished", stdout=out)
    assert out.getvalue().splitlines() == [
        f"import {a.pk}: done, 23 rows: 19 accepted, 1 duplicates, 3 errors",
        f"import {b.pk}: done, 23 rows: 19 accepted, 1 duplicates, 3 errors",
    ]
    with pytest.raises(CommandError, match="no import job 999999"):
        call_command("run_import", "999999")
    with pytest.raises(CommandError, match="name a job id"):
        call_command("run_import")


def test_a_finished_jobs_leftover_file_is_deleted_on_the_next_run(pair: Any, queue: _Queue, monkeypatch: Any) -> None:
    one, _two = pair
    job = start(one, a_file(one))
    names = list(ImportFileChunk.objects.values_list("blob", flat=True))
    monkeypatch.setattr(jobs, "_file_delete", lambda job: None)  # stopped right after the end
    import_run(job_id=job.pk)
    assert all(vault().exists(n) for n in names)
    monkeypatch.undo()
    monkeypatch.setattr(tasks, "run_import", queue)
    assert import_run(job_id=job.pk).status == "done"
    assert ImportFileChunk.objects.count() == 0
    assert not any(vault().exists(n) for n in names)


def test_key_rotation_reseals_a_waiting_file(pair: Any, queue: _Queue, settings: Any) -> None:
    import os

    one, _two = pair
    job = start(one, a_file(one))
    settings.PII_KEYS = {"k9": os.urandom(32), **settings.PII_KEYS}
    call_command("rotate_pii_keys", verbosity=0)
    settings.PII_KEYS = {"k9": settings.PII_KEYS["k9"]}
    assert import_run(job_id=job.pk).accepted == 19
