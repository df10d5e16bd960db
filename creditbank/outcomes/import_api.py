"""Outcome imports over the API: an institution's file of outcome rows (CSV or XLSX) → 202 with
its job; the job's progress and its row-by-row report; the data standard's template and JSON
Schema (public). Thin: ``services.imports`` and the selectors do the work.

Who: an issuer of the institution (a person: bearer token or session) or the institution's API
client with the ``imports:write`` scope. Anyone else, and another institution's job, gets the
same 404 as for one that does not exist (logged).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from creditbank.accounts.roles import Role
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.outcomes import selectors
from creditbank.outcomes.api.caller import institution_caller
from creditbank.outcomes.domain.imports import row_schema
from creditbank.outcomes.models import ImportJob, ImportRow, ImportRowStatus
from creditbank.outcomes.services.imports import import_start, template_csv, template_xlsx

router = Router(tags=["outcome imports"])

SCOPE = "imports:write"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportJobOut(Schema):
    id: int
    status: str
    format: str
    filename: str
    total_rows: int | None
    processed_rows: int
    accepted: int
    duplicates: int
    errors: int
    error_code: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str
    rows_url: str


class ImportJobListOut(Schema):
    items: list[ImportJobOut]
    count: int


class ImportRowOut(Schema):
    row: int
    external_id: str
    status: str
    code: str | None
    field: str | None
    message: str | None
    outcome_id: int | None


class ImportRowListOut(Schema):
    items: list[ImportRowOut]
    count: int


def _gate(request: HttpRequest, code: str) -> tuple[Any, Any, str]:
    """(the institution, the person uploading or None, the client's id or "")."""
    caller = institution_caller(request, code=code, scope=SCOPE, role=Role.INSTITUTION_ISSUER)
    return caller.institution, caller.user, caller.client_id


def _job_out(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    url = reverse("api-v1:outcome_import", kwargs={"code": job.institution.code, "job_id": job.pk})
    return {
        "id": job.pk, "status": job.status, "format": job.format, "filename": job.filename,
        "total_rows": job.total_rows, "processed_rows": job.processed_rows, "accepted": job.accepted,
        "duplicates": job.duplicates, "errors": job.errors, "error_code": job.error_code or None,
        "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
        "url": request.build_absolute_uri(url), "rows_url": request.build_absolute_uri(url + "/rows"),
    }  # fmt: skip


def _row_out(row: ImportRow) -> dict[str, Any]:
    return {
        "row": row.row, "external_id": row.external_id, "status": row.status, "code": row.code or None,
        "field": row.field or None, "message": row.message() or None, "outcome_id": row.outcome_id,
    }  # fmt: skip


def _digest(upload: Any) -> str:
    h = hashlib.sha256()
    for piece in upload.chunks():
        h.update(piece)
    upload.seek(0)
    return h.hexdigest()


@router.post(
    "/institutions/{code}/imports",
    response={202: ImportJobOut, **problems(400, 401, 403, 404, 409, 413, 422)},
    openapi_extra={"requestBody": {"description": "multipart/form-data with one `file`: CSV (UTF-8 or GB18030) or XLSX, at most 40 MiB, as the template (`/api/v1/outcome-imports/template.csv`)."}},
)  # fmt: skip
def outcome_import_create(
    request: HttpRequest,
    response: HttpResponse,
    code: str,
    file: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Any:
    """Upload a file of outcome rows for the institution: 202 with the job, which deposits the rows
    in the background (``Location`` and ``url``: the job; ``rows_url``: its report). Idempotent
    per ``Idempotency-Key`` (the same key and file answer the same job)."""
    institution, user, client_id = _gate(request, code)

    def create() -> tuple[int, dict[str, Any]]:
        job = import_start(
            institution=institution, upload=file, actor=user, client_id=client_id,
            client_address=ratelimit.client_address(request),
        )  # fmt: skip
        return 202, _job_out(request, job)

    key = request.headers.get("Idempotency-Key")
    by = f"client:{client_id}" if client_id else f"user:{user.pk}"
    status, body = run_idempotent(
        scope=f"outcome-import:{code}:{by}",
        key=key,
        payload={"file": _digest(file) if key and file is not None else None, "name": getattr(file, "name", "")},
        create=create,
    )
    response["Location"] = body["url"]
    return Status(status, body)


@router.get("/institutions/{code}/imports", response={200: ImportJobListOut, **problems(400, 401, 403, 404)})
def outcome_imports(request: HttpRequest, code: str, limit: Limit = 20, offset: Offset = 0) -> Any:
    """The institution's imports, newest first."""
    institution, _user, _client = _gate(request, code)
    rows, count = page(selectors.import_jobs_of(institution=institution), limit=limit, offset=offset)
    return {"items": [_job_out(request, job) for job in rows], "count": count}


@router.get("/institutions/{code}/imports/{job_id}", response={200: ImportJobOut, **problems(401, 403, 404)})
def outcome_import(request: HttpRequest, code: str, job_id: int) -> Any:
    """One import's progress and counts (``status``: queued, running, done, failed)."""
    institution, _user, _client = _gate(request, code)
    return _job_out(request, selectors.import_job_get(institution=institution, id=job_id))


@router.get(
    "/institutions/{code}/imports/{job_id}/rows", response={200: ImportRowListOut, **problems(400, 401, 403, 404)}
)
def outcome_import_rows(
    request: HttpRequest,
    code: str,
    job_id: int,
    status: str = "",
    row_from: int = 0,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """The row-by-row report, by row number (the header is row 1): ``accepted`` (with its
    ``outcome_id``), ``duplicate`` or ``error`` (``code``, ``field``, ``message`` as the JSON
    deposit gives them). ``status`` filters; ``row_from`` starts at a row number (for reports
    deeper than ``offset`` reaches)."""
    institution, _user, _client = _gate(request, code)
    job = selectors.import_job_get(institution=institution, id=job_id)
    if status and status not in ImportRowStatus.values:
        raise DomainError(
            KernelCode.CHOICE_INVALID,
            _choice_message(),
            field="status",
            extra={"allowed": list(ImportRowStatus.values)},
        )
    if row_from < 0:
        raise DomainError(KernelCode.VALIDATION_ERROR, _row_from_message(), field="row_from")
    rows, count = page(selectors.import_rows_of(job=job, status=status, row_from=row_from), limit=limit, offset=offset)
    return {"items": [_row_out(r) for r in rows], "count": count}


def _choice_message() -> str:
    return gettext("Choose accepted, duplicate or error.")


def _row_from_message() -> str:
    return gettext("Use a row number of 0 or more.")


# --- the data standard (public) -------------------------------------------------------------------


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _file_response(content_type: str, description: str) -> dict[str, Any]:
    return {"responses": {200: {"description": description, "content": {content_type: {"schema": {"type": "string", "format": "binary"}}}}}}  # fmt: skip


@router.get(
    "/outcome-imports/template.csv", auth=None, response={200: None},
    openapi_extra=_file_response("text/csv", "The template: a header row (中文 (english)) and one sample row, UTF-8 with BOM."),
)  # fmt: skip
def outcome_import_template_csv(request: HttpRequest) -> HttpResponse:
    """The import template as CSV (the bank's data standard for outcome rows)."""
    return _download(template_csv(), "text/csv; charset=utf-8", "outcome-import-template.csv")


@router.get(
    "/outcome-imports/template.xlsx", auth=None, response={200: None},
    openapi_extra=_file_response(XLSX_TYPE, "The template as a workbook: the rows on the first sheet, the columns described on the second."),
)  # fmt: skip
def outcome_import_template_xlsx(request: HttpRequest) -> HttpResponse:
    """The import template as an Excel workbook."""
    return _download(template_xlsx(), XLSX_TYPE, "outcome-import-template.xlsx")


@router.get(
    "/outcome-imports/row.schema.json", auth=None, response={200: None},
    openapi_extra={"responses": {200: {"description": "JSON Schema (2020-12) of one row of the standard.", "content": {"application/schema+json": {"schema": {"type": "object"}}}}}},
)  # fmt: skip
def outcome_import_row_schema(request: HttpRequest) -> HttpResponse:
    """The JSON Schema of one row of the data standard (keys: the English column names)."""
    schema = row_schema(schema_id=request.build_absolute_uri(request.path))
    response = HttpResponse(
        json.dumps(schema, ensure_ascii=False, indent=2), content_type="application/schema+json; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response
