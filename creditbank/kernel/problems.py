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
    """Pydantic/ninja request validation → 400 problem details with per-field messages."""
    return from_domain_error(request, validation_error(raw_errors))


# The top-level code when several kinds of error come at once: the body as a whole first, then a
# field the endpoint does not know (a misspelt name also makes the right one "missing"), then
# the first error's own code.
_PRECEDENCE = ("invalid_body", "unknown_field")


def validation_error(raw_errors: list[dict[str, Any]]) -> DomainError:
    """Pydantic validation errors → one :class:`DomainError` naming every field.

    ``unknown_field`` for a field the schema does not declare, ``boolean_required`` for a
    non-boolean where a boolean belongs, ``invalid_body`` when the body itself is missing or not
    an object, ``validation_error`` for the rest (missing, wrong type, out of range)."""
    found: list[tuple[str, str, Any]] = []  # (code, field, message)
    for err in raw_errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path", "form", "file")]
        field = ".".join(loc)
        kind = err.get("type", "")
        if not field and kind in {"missing", "model_type", "dict_type", "model_attributes_type", "json_invalid"}:
            found.append(("invalid_body", "", _("The request body must be a JSON object.")))
            continue
        code, message = _describe(kind, err)
        found.append((code, field or "__all__", message))
    codes = [code for code, _field, _message in found]
    top = next((c for c in _PRECEDENCE if c in codes), codes[0] if codes else "validation_error")
    if top == "validation_error":
        detail: Any = _("Some fields are missing or invalid.")
    else:
        detail = next(message for code, _field, message in found if code == top)
    errors: dict[str, list[Any]] = {}
    for _code, field, message in found:
        if field:
            errors.setdefault(field, []).append(message)
    return DomainError(top, detail, errors=errors)


def _describe(kind: str, err: dict[str, Any]) -> tuple[str, Any]:
    if kind == "extra_forbidden":
        return "unknown_field", _("This field does not exist.")
    if kind in {"bool_type", "bool_parsing"}:
        return "boolean_required", _("Use true or false.")
    if kind == "missing":
        return "validation_error", _("This field is required.")
    if kind in {"json_invalid", "model_attributes_type"}:
        return "invalid_body", _("The request body is not valid JSON.")
    if kind == "string_type":
        return "validation_error", _("Enter text.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return "validation_error", _("Enter a whole number.")
    if kind in {"greater_than_equal", "less_than_equal"}:
        bound = (err.get("ctx") or {}).get("ge" if kind == "greater_than_equal" else "le")
        message = (
            _("Use a value of at least %(bound)s.")
            if kind == "greater_than_equal"
            else _("Use a value of at most %(bound)s.")
        )
        return "validation_error", message % {"bound": bound}
    return "validation_error", str(err.get("msg", _("Invalid value.")))
