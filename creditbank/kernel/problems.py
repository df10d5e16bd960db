"""RFC 9457 problem details: the one mapping from :class:`DomainError` to an HTTP answer."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditbank.kernel.errors import DomainError, ErrorCode

PROBLEM_CONTENT_TYPE = "application/problem+json"

# RFC 9457 §3.1.4: the title does not change between occurrences, except for localisation.
_TITLES: dict[int, Any] = {
    400: gettext_lazy("Bad Request"),
    401: gettext_lazy("Unauthorized"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not Found"),
    405: gettext_lazy("Method Not Allowed"),
    409: gettext_lazy("Conflict"),
    413: gettext_lazy("Content Too Large"),
    415: gettext_lazy("Unsupported Media Type"),
    422: gettext_lazy("Unprocessable Content"),
    429: gettext_lazy("Too Many Requests"),
    500: gettext_lazy("Internal Server Error"),
}

# What each pydantic error type means, in words a person can act on (pydantic's own messages are
# English only). Keys: https://docs.pydantic.dev/latest/errors/validation_errors/
_VALIDATION_MESSAGES: dict[str, Any] = {
    **dict.fromkeys(
        ("string_type", "string_sub_type", "string_unicode", "bytes_type"), gettext_lazy("Enter text (a string).")
    ),
    **dict.fromkeys(
        ("int_type", "int_parsing", "int_parsing_size", "int_from_float"), gettext_lazy("Enter a whole number.")
    ),
    **dict.fromkeys(
        ("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"),
        gettext_lazy("Enter a number."),
    ),
    **dict.fromkeys(("bool_type", "bool_parsing"), gettext_lazy("Use true or false.")),
    **dict.fromkeys(
        ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"),
        gettext_lazy("Enter a list of values."),
    ),
    **dict.fromkeys(("dict_type", "model_type", "dataclass_type"), gettext_lazy("Enter a JSON object.")),
    **dict.fromkeys(
        ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"),
        gettext_lazy("Enter a valid date."),
    ),
    **dict.fromkeys(
        ("datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"),
        gettext_lazy("Enter a valid date/time."),
    ),
    **dict.fromkeys(
        ("url_type", "url_parsing", "url_syntax_violation", "url_scheme"), gettext_lazy("Enter a valid URL.")
    ),
    **dict.fromkeys(("uuid_type", "uuid_parsing", "uuid_version"), gettext_lazy("Enter a valid UUID.")),
    **dict.fromkeys(("literal_error", "enum"), gettext_lazy("Choose one of the allowed values.")),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "too_short": gettext_lazy("Enter at least %(min_length)s items."),
    "too_long": gettext_lazy("Enter at most %(max_length)s items."),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(le)s."),
    "extra_forbidden": gettext_lazy("This field is not accepted here."),
    "missing": gettext_lazy("This field is required."),
    **dict.fromkeys(
        ("json_invalid", "json_type", "model_attributes_type"), gettext_lazy("The request body is not valid JSON.")
    ),
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
        "title": force_str(_TITLES.get(status, gettext_lazy("Error"))),
        "status": status,
        "detail": force_str(detail),
        "code": str(code),  # the plain string, also when given an ErrorCode member
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


def validation_message(err: dict[str, Any]) -> str:
    """One pydantic error as a translated message (never pydantic's English text)."""
    template = _VALIDATION_MESSAGES.get(str(err.get("type", "")))
    if template is None:
        return _("Invalid value.")
    text = force_str(template)
    if "%(" in text:
        ctx = err.get("ctx") or {}
        try:
            return text % {key: value if isinstance(value, (int, float)) else str(value) for key, value in ctx.items()}
        except (KeyError, TypeError, ValueError):
            return _("Invalid value.")
    return text


def from_validation_errors(request: HttpRequest, raw_errors: list[dict[str, Any]]) -> HttpResponse:
    """Pydantic/ninja request validation → 400 problem details with per-field messages."""
    return from_domain_error(request, validation_error(raw_errors))


# The top-level code when several kinds of error come at once: the body as a whole first, then a
# field the endpoint does not know (a misspelt name also makes the right one "missing"), then
# the first error's own code.
_PRECEDENCE = (ErrorCode.INVALID_BODY, ErrorCode.UNKNOWN_FIELD)


def validation_error(raw_errors: list[dict[str, Any]]) -> DomainError:
    """Pydantic validation errors → one :class:`DomainError` naming every field.

    ``unknown_field`` for a field the schema does not declare, ``boolean_required`` for a
    non-boolean where a boolean belongs, ``invalid_body`` when the body itself is missing or not
    an object, ``validation_error`` for the rest (missing, wrong type, out of range)."""
    found: list[tuple[ErrorCode, str, Any]] = []  # (code, field, message)
    for err in raw_errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path", "form", "file")]
        field = ".".join(loc)
        kind = err.get("type", "")
        if not field and kind in {"missing", "model_type", "dict_type", "model_attributes_type", "json_invalid"}:
            found.append((ErrorCode.INVALID_BODY, "", _("The request body must be a JSON object.")))
            continue
        code, message = _describe(kind, err)
        found.append((code, field or "__all__", message))
    codes = [code for code, _field, _message in found]
    top = next((c for c in _PRECEDENCE if c in codes), codes[0] if codes else ErrorCode.VALIDATION_ERROR)
    if top == ErrorCode.VALIDATION_ERROR:
        detail: Any = _("Some fields are missing or invalid.")
    else:
        detail = next(message for code, _field, message in found if code == top)
    errors: dict[str, list[Any]] = {}
    for _code, field, message in found:
        if field:
            errors.setdefault(field, []).append(message)
    return DomainError(top, detail, errors=errors)


def _describe(kind: str, err: dict[str, Any]) -> tuple[ErrorCode, Any]:
    if kind == "extra_forbidden":
        return ErrorCode.UNKNOWN_FIELD, _("This field does not exist.")
    if kind in {"bool_type", "bool_parsing"}:
        return ErrorCode.BOOLEAN_REQUIRED, _("Use true or false.")
    if kind == "missing":
        return ErrorCode.VALIDATION_ERROR, _("This field is required.")
    if kind in {"json_invalid", "model_attributes_type"}:
        return ErrorCode.INVALID_BODY, _("The request body is not valid JSON.")
    if kind in {"greater_than_equal", "less_than_equal"}:
        bound = (err.get("ctx") or {}).get("ge" if kind == "greater_than_equal" else "le")
        message = (
            _("Use a value of at least %(bound)s.")
            if kind == "greater_than_equal"
            else _("Use a value of at most %(bound)s.")
        )
        return ErrorCode.VALIDATION_ERROR, message % {"bound": bound}
    return ErrorCode.VALIDATION_ERROR, validation_message(err)
