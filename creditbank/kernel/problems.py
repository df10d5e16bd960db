"""RFC 9457 problem details: the one mapping from :class:`DomainError` to an HTTP answer."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from creditbank.kernel.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def problem_type(code: str) -> str:
    return f"urn:creditbank:problem:{code}"


def problem_body(
    *,
    status: int,
    code: str,
    detail: Any,
    errors: dict[str, list[Any]] | None = None,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": force_str(detail),
        "code": code,
        "errors": {k: [force_str(m) for m in v] for k, v in (errors or {}).items()},
    }
    if instance:
        body["instance"] = instance
    for key, value in (extra or {}).items():
        body.setdefault(key, force_str(value) if not isinstance(value, (int, float, bool, list, dict)) else value)
    return body


def problem_response(body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=body["status"],
        content_type=PROBLEM_CONTENT_TYPE,
    )
    retry_after = body.get("retry_after")
    if isinstance(retry_after, int):
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def from_domain_error(request: HttpRequest | None, exc: DomainError) -> HttpResponse:
    return problem_response(
        problem_body(
            status=exc.status,
            code=exc.code,
            detail=exc.message,
            errors=exc.errors,
            instance=request.path if request is not None else None,
            extra=exc.extra,
        )
    )


def from_validation_errors(request: HttpRequest, raw_errors: list[dict[str, Any]]) -> HttpResponse:
    """Pydantic/ninja request validation → 400 ``validation_error`` with per-field messages."""
    errors: dict[str, list[str]] = {}
    for err in raw_errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path", "form", "file")]
        field = ".".join(loc) or "__all__"
        kind = err.get("type", "")
        if kind == "missing":
            message = _("This field is required.")
        elif kind in {"json_invalid", "model_attributes_type"}:
            message = _("The request body is not valid JSON.")
        elif kind in {"int_parsing", "int_type", "int_from_float"}:
            message = _("Enter a whole number.")
        elif kind in {"greater_than_equal", "less_than_equal"}:
            bound = (err.get("ctx") or {}).get("ge" if kind == "greater_than_equal" else "le")
            message = (
                _("Use a value of at least %(bound)s.")
                if kind == "greater_than_equal"
                else _("Use a value of at most %(bound)s.")
            ) % {"bound": bound}
        else:
            message = str(err.get("msg", _("Invalid value.")))
        errors.setdefault(field, []).append(message)
    return problem_response(
        problem_body(
            status=400,
            code="validation_error",
            detail=_("Some fields are missing or invalid."),
            errors=errors,
            instance=request.path,
        )
    )
