"""Outcome imports: an institution's CSV or XLSX file of outcome rows, deposited by a job.

``import_start`` checks the upload (size, type by its bytes, encoding, header, at least one row),
stores it encrypted in the private vault in 1 MiB chunks and creates the job; the job
(``import_run``, a background task) streams the rows and deposits them ``CHUNK_ROWS`` at a time.
Each chunk's outcomes and ledger entries, its report rows and the job's cursor and counts are
written in one transaction, after locking the job and checking that its cursor is where this run
left it: a run killed at any point and run again resumes from the cursor, and two runs of one job
never write the same chunk. Rows go through the JSON deposit's checks (``deposit_row_check``), so
a file row and a JSON row get the same codes and messages; an (institution, external id) the bank
holds already is a duplicate, and the database's unique constraint decides a race. docs/adr/0025.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.selectors import learners_find
from creditbank.audit.services import audit_record
from creditbank.kernel.bulk import insert_rows, reserve_ids
from creditbank.kernel.documents import clean_filename
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.vault_chunks import CHUNK_BYTES, ChunkedReader, ChunkWriter, StoredChunk, delete_chunks
from creditbank.ledger.services import Deposit, ledger_post_deposits
from creditbank.outcomes import tasks
from creditbank.outcomes.domain.imports import Header, deposit_row, is_blank, resolve_header, surplus_cells
from creditbank.outcomes.errors import ErrorCode
from creditbank.outcomes.models import (
    ImportFileChunk,
    ImportFormat,
    ImportJob,
    ImportRow,
    ImportRowStatus,
    ImportStatus,
    Outcome,
    OutcomeSource,
    OutcomeStatus,
)
from creditbank.outcomes.personal_data import IMPORT_FILE_CONTEXT
from creditbank.outcomes.services.deposits import ROW_MESSAGES, CheckedRow, deposit_row_check, outcome_deposit
from creditbank.outcomes.services.fields import CleanOutcome
from creditbank.outcomes.services.imports import reading
from creditbank.outcomes.services.imports.reading import FIELD, Unreadable

log = logging.getLogger("creditbank.outcomes.imports")

#: rows deposited per transaction
CHUNK_ROWS = 500
#: the largest file taken (below the request limit, CREDITBANK_MAX_REQUEST_BYTES, 50 MiB by default)
MAX_FILE_BYTES = 40 * 1024 * 1024
LANGUAGES = ("zh-hans", "en")
#: the statuses as plain strings (an enum member's ``.value`` is slow in a loop of 100,000 rows)
ACCEPTED, DUPLICATE, ERROR = (
    str(s.value) for s in (ImportRowStatus.ACCEPTED, ImportRowStatus.DUPLICATE, ImportRowStatus.ERROR)
)
CERTIFIED, INSTITUTION = str(OutcomeStatus.CERTIFIED.value), str(OutcomeSource.INSTITUTION.value)
ROW_CELLS_MESSAGE = _("This row has more filled cells than the header has columns: check for a stray comma or cell.")


def _both(message: Callable[[], Any]) -> tuple[str, str]:
    """A message in Chinese and in English (the report shows each reader theirs)."""
    out = []
    for language in LANGUAGES:
        with translation.override(language):
            out.append(str(message())[:500])
    return out[0], out[1]


# --- starting a job ------------------------------------------------------------------------------


def _reader(job: ImportJob, chunks: Sequence[StoredChunk]) -> io.BufferedReader:
    raw = ChunkedReader(chunks, file_id=bytes(job.file_id), context=IMPORT_FILE_CONTEXT)
    return io.BufferedReader(raw, buffer_size=256 * 1024)


def import_start(
    *, institution: Any, upload: Any, actor: Any = None, client_id: str = "", client_address: str = ""
) -> ImportJob:
    """Accept a file for ``institution`` (the caller checked the uploader: an issuer there, or
    its API client with ``imports:write``) and queue its job. Refusals, with nothing stored:
    ``upload_missing``, ``upload_empty``, ``upload_too_large`` (413), ``import_file_type``,
    ``import_encoding``, ``import_file_unreadable``, ``import_columns``, ``import_no_rows``."""
    if upload is None:
        raise DomainError(KernelCode.UPLOAD_MISSING, _("Choose a CSV or XLSX file."), field=FIELD)
    size = int(getattr(upload, "size", 0) or 0)
    if size > MAX_FILE_BYTES:
        raise DomainError(
            KernelCode.UPLOAD_TOO_LARGE,
            _("The file is too large: at most 40 MB. Split it into several files."),
            field=FIELD, status=413, extra={"max_bytes": MAX_FILE_BYTES},
        )  # fmt: skip
    upload.seek(0)
    head = upload.read(8)
    if not head:
        raise DomainError(KernelCode.UPLOAD_EMPTY, _("The file is empty."), field=FIELD)
    upload.seek(0)
    format = reading.sniff_format(head + upload.read(64 * 1024)[8:])
    writer = ChunkWriter(context=IMPORT_FILE_CONTEXT)
    digest = hashlib.sha256()
    written = 0
    upload.seek(0)
    try:
        for piece in upload.chunks(CHUNK_BYTES):
            written += len(piece)
            if written > MAX_FILE_BYTES:  # the declared size was wrong
                raise DomainError(
                    KernelCode.UPLOAD_TOO_LARGE, _("The file is too large: at most 40 MB. Split it into several files."),
                    field=FIELD, status=413, extra={"max_bytes": MAX_FILE_BYTES},
                )  # fmt: skip
            digest.update(piece)
            writer.write(piece)
        chunks = writer.close()
        job = ImportJob(
            institution=institution, created_by=actor if getattr(actor, "pk", None) else None, client_id=client_id,
            format=format, filename=_filename(upload), size=written, sha256=digest.hexdigest(),
            file_id=writer.file_id,
        )  # fmt: skip
        stream = _reader(job, chunks)
        encoding = reading.detect_encoding(stream) if format == ImportFormat.CSV else ""
        if format == ImportFormat.XLSX:
            reading.check_xlsx(stream)
        inspected = reading.inspect(stream, format=format, encoding=encoding)
        job.encoding, job.total_rows = encoding, inspected.total_rows
        with transaction.atomic():
            job.save()
            ImportFileChunk.objects.bulk_create(
                [ImportFileChunk(job=job, index=i, blob=c.name, size=c.size) for i, c in enumerate(chunks)]
            )
            audit_record(
                actor=actor, action="outcomes.import_started", object_type="institution", object_id=institution.code,
                reason=f"{_uploader(actor, client_id)} job={job.pk} format={format} bytes={written} rows={job.total_rows}",
                client_address=client_address,
            )  # fmt: skip
            job_id = job.pk
            transaction.on_commit(lambda: tasks.run_import.enqueue(job_id))
    except BaseException:
        writer.discard()
        raise
    log.info("import %s queued: institution %s, %s bytes, %s rows", job.pk, institution.code, written, job.total_rows)
    return job


def _filename(upload: Any) -> str:
    return clean_filename(getattr(upload, "name", ""))


def _uploader(actor: Any, client_id: str) -> str:
    return f"client:{client_id}" if client_id else f"user:{getattr(actor, 'pk', '')}"


# --- running a job --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    """A row that passed its checks: its external id, learner reference and clean fields."""

    external_id: str
    learner: tuple[str, str]
    clean: CleanOutcome


@dataclass
class _Report:
    row: int
    external_id: str
    status: str
    code: str = ""
    field: str = ""
    messages: tuple[str, str] = ("", "")
    checked: _Checked | None = None
    user_id: int = 0  #: the learner, once found
    outcome_id: int | None = None

    def as_row(self, job_id: int) -> dict[str, Any]:
        return {
            "job_id": job_id, "row": self.row, "external_id": self.external_id[:64], "status": self.status,
            "code": self.code, "field": self.field[:64], "message_zh": self.messages[0], "message_en": self.messages[1],
            "outcome_id": self.outcome_id,
        }  # fmt: skip


def _error(report: _Report, refused: Callable[[], DomainError]) -> _Report:
    first = refused()
    report.status = ERROR
    report.code = first.code
    report.field = first.field or next(iter(first.errors), "")
    report.messages = _both(lambda: refused().message)
    return report


def _raise(fn: Callable[[], Any]) -> Callable[[], DomainError]:
    def run() -> DomainError:
        try:
            fn()
        except DomainError as refused:
            return refused
        raise AssertionError("the row passed its check the second time")  # pragma: no cover

    return run


def _check_rows(batch: Sequence[tuple[int, Sequence[Any]]], header: Header, today: date) -> list[_Report]:
    """Each non-blank row checked as the JSON deposit checks it (learners not yet looked up)."""
    reports: list[_Report] = []
    for number, cells in batch:
        if is_blank(cells):
            continue
        data = deposit_row(cells, header)
        report = _Report(row=number, external_id=str(data["external_id"]), status="")
        if surplus_cells(cells, header):
            reports.append(
                _error(report, lambda: DomainError(ErrorCode.IMPORT_ROW_CELLS, ROW_CELLS_MESSAGE, field="row"))
            )
            continue
        try:
            external_id, ref, clean = deposit_row_check(data, today=today)
        except DomainError:
            reports.append(_error(report, _raise(lambda d=data: deposit_row_check(d, today=today))))  # type: ignore[misc]
            continue
        report.checked = _Checked(external_id, ref, clean)
        reports.append(report)
    return reports


def _deposit_each(institution: Any, rows: list[_Report]) -> None:
    """The row-by-row path: each row in a savepoint (``outcome_deposit``), one account at a time."""
    for report in sorted(rows, key=lambda r: (r.user_id, r.row)):
        assert report.checked is not None
        learner = User(pk=report.user_id)
        outcome = outcome_deposit(
            institution=institution,
            row=CheckedRow(report.row, report.checked.external_id, learner, report.checked.clean),
        )
        if outcome is None:
            report.status = DUPLICATE
        else:
            report.status, report.outcome_id = ACCEPTED, outcome.pk


def _deposit_bulk(institution: Any, rows: list[_Report]) -> bool:
    """The bulk path (PostgreSQL): outcome ids drawn first, the ledger entries posted in one
    batch, the outcomes written with one COPY. False where the database has no sequences."""
    ids = reserve_ids(Outcome, len(rows))
    if ids is None:
        return False
    ready = [(r.user_id, r.checked) for r in rows if r.checked is not None]
    entry_ids = ledger_post_deposits(
        deposits=[
            Deposit(user_id=u, amount=c.clean.credits, outcome_id=i, outcome_type=c.clean.type)
            for (u, c), i in zip(ready, ids, strict=True)
        ]
    )
    now = timezone.now()
    insert_rows(
        Outcome,
        [
            {"id": i, "user_id": u, **c.clean.columns(), "issuer_institution_id": institution.pk,
             "issuer_name": "", "status": CERTIFIED, "source": INSTITUTION, "external_id": c.external_id,
             "certified_credits": c.clean.credits, "certified_at": now, "standard_id": None, "deposit_entry_id": e,
             "closing_entry_id": None, "revoked_reason": "", "revoked_at": None, "expired_at": None,
             "created_at": now, "updated_at": now}
            for (u, c), i, e in zip(ready, ids, entry_ids, strict=True)
        ],
    )  # fmt: skip
    for report, ident in zip(rows, ids, strict=True):
        report.status, report.outcome_id = ACCEPTED, ident
    return True


class _Moved(Exception):
    """Another run of the job moved its cursor (or finished it): this run stops."""


def _commit_chunk(job_id: int, institution: Any, reports: list[_Report], *, cursor: int, read: int) -> None:
    """Deposit one chunk's checked rows and record the chunk, in one transaction."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.finished or job.cursor != cursor:
            raise _Moved
        checked = [r for r in reports if r.checked is not None]
        existing = set(
            Outcome.objects.filter(
                issuer_institution=institution, source=OutcomeSource.INSTITUTION,
                external_id__in=[r.checked.external_id for r in checked],  # type: ignore[union-attr]
            ).values_list("external_id", flat=True)
        )  # fmt: skip
        learners = learners_find(r.checked.learner for r in checked)  # type: ignore[union-attr]
        seen: set[str] = set()
        ready: list[_Report] = []
        for report in checked:
            assert report.checked is not None
            if report.checked.external_id in existing or report.checked.external_id in seen:
                report.status = DUPLICATE
                continue
            user_id = learners.get(report.checked.learner)
            if user_id is None:
                _error(
                    report,
                    lambda: DomainError(
                        ErrorCode.LEARNER_NOT_FOUND, ROW_MESSAGES[ErrorCode.LEARNER_NOT_FOUND], field="learner"
                    ),
                )
                continue
            seen.add(report.checked.external_id)
            report.user_id = user_id
            ready.append(report)
        if ready:
            try:
                with transaction.atomic():
                    bulk = _deposit_bulk(institution, ready)
            except IntegrityError:  # an external id deposited meanwhile (a JSON batch, another job)
                bulk = False
            if not bulk:
                _deposit_each(institution, ready)
        insert_rows(ImportRow, [r.as_row(job_id) for r in reports])
        counts = Counter(r.status for r in reports)
        ImportJob.objects.filter(pk=job_id).update(
            cursor=cursor + read,
            processed_rows=F("processed_rows") + len(reports),
            accepted=F("accepted") + counts[ACCEPTED],
            duplicates=F("duplicates") + counts[DUPLICATE],
            errors=F("errors") + counts[ERROR],
            updated_at=timezone.now(),
        )


def _finish(job_id: int, *, cursor: int, status: str, error_code: str = "") -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("institution").get(pk=job_id)
        if job.finished or job.cursor != cursor:
            return None
        job.status, job.error_code, job.finished_at = status, error_code, timezone.now()
        if status == ImportStatus.DONE:
            job.total_rows = job.processed_rows
        job.save()
        audit_record(
            actor=None, action="outcomes.imported", object_type="institution", object_id=job.institution.code,
            reason=f"{_uploader(job.created_by, job.client_id)} job={job.pk} status={status} accepted={job.accepted} "
            f"duplicates={job.duplicates} errors={job.errors}{f' code={error_code}' if error_code else ''}",
        )  # fmt: skip
    _file_delete(job)
    return job


def _file_delete(job: ImportJob) -> None:
    """Delete a finished job's file: the vault files first, then their rows, so that a run stopped
    in between leaves rows that the next run (of the finished job) deletes."""
    chunks = list(job.chunks.values_list("pk", "blob"))
    if chunks:
        delete_chunks([blob for _pk, blob in chunks])
        ImportFileChunk.objects.filter(pk__in=[pk for pk, _blob in chunks]).delete()


def import_run(*, job_id: int, chunk_rows: int = CHUNK_ROWS) -> ImportJob:
    """Run (or resume) job ``job_id`` to its end; a finished job is left as it is. A file that
    breaks while being read ends the job ``failed`` (``import_file_unreadable``) after the rows
    before the break are deposited."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("institution").get(pk=job_id)
        if not job.finished and job.status == ImportStatus.QUEUED:
            job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
            job.save(update_fields=["status", "started_at", "updated_at"])
    if job.finished:
        _file_delete(job)  # what a run stopped after the end left
        return job
    institution = job.institution
    today = timezone.localdate(job.created_at)
    chunks = [StoredChunk(c.blob, c.size) for c in job.chunks.order_by("index")]
    cursor = job.cursor
    log.info("import %s: running from row %s", job_id, cursor + 2)
    with _reader(job, chunks) as stream:
        rows = reading.records(stream, format=job.format, encoding=job.encoding)
        try:
            try:
                header = resolve_header(next(rows))
                numbered = enumerate(islice(rows, cursor, None), start=cursor + 2)  # the header is row 1
            except (Unreadable, StopIteration, ValueError) as opening:
                raise Unreadable(str(opening)) from opening
            while True:
                batch: list[tuple[int, Sequence[Any]]] = []
                stopped: Unreadable | None = None
                try:
                    for item in numbered:
                        batch.append(item)
                        if len(batch) >= chunk_rows:
                            break
                except Unreadable as exc:
                    stopped = exc
                if batch:
                    _commit_chunk(
                        job_id, institution, _check_rows(batch, header, today), cursor=cursor, read=len(batch)
                    )
                    cursor += len(batch)
                if stopped is not None:
                    raise stopped
                if len(batch) < chunk_rows:
                    break
        except Unreadable as broken:
            log.warning("import %s: the file broke near row %s: %s", job_id, broken.row, broken.detail)
            return _finish(
                job_id, cursor=cursor, status=ImportStatus.FAILED, error_code=ErrorCode.IMPORT_FILE_UNREADABLE
            ) or _reload(job_id)
        except _Moved:
            log.info("import %s: another run moved on; this one stops", job_id)
            return _reload(job_id)
        finally:
            rows.close()  # type: ignore[attr-defined]
    finished = _finish(job_id, cursor=cursor, status=ImportStatus.DONE)
    log.info("import %s: finished at row %s", job_id, cursor + 1)
    return finished or _reload(job_id)


def _reload(job_id: int) -> ImportJob:
    return ImportJob.objects.select_related("institution").get(pk=job_id)
