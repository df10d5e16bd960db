"""Request bodies of the API: a UTF-8 JSON object sent as ``application/json``, or multipart with files.

The rule (docs/adr/0009-strict-request-bodies.md): a JSON body must be sent as
``application/json`` (a ``charset``, if given, must be UTF-8), else 415
``unsupported_media_type``; it must decode as UTF-8 and parse as one JSON object, else 400
``invalid_body``. :class:`StrictJsonParser` applies it to every ninja body schema;
:func:`json_or_form` to the endpoints that also take multipart.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from creditbank.kernel.errors import DomainError, ErrorCode
from creditbank.kernel.problems import validation_error

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def unsupported_media_type(*, multipart: bool = False) -> DomainError:
    message = (
        _("Send JSON (Content-Type: application/json) or multipart/form-data.")
        if multipart
        else _("Send JSON: Content-Type: application/json, UTF-8.")
    )
    return DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, message, status=415)


def _is_json(request: HttpRequest) -> bool:
    if (request.content_type or "").lower() != JSON_CONTENT_TYPE:
        return False
    charset = (request.content_params or {}).get("charset")
    return charset is None or charset.lower().replace("_", "-") in {"utf-8", "utf8"}


def parse_json_object(body: bytes) -> dict[str, Any]:
    """One JSON object from UTF-8 bytes, or ``invalid_body``."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DomainError(ErrorCode.INVALID_BODY, _("The request body is not UTF-8.")) from exc
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep to parse
        raise DomainError(ErrorCode.INVALID_BODY, _("The request body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise DomainError(ErrorCode.INVALID_BODY, _("The request body must be a JSON object."))
    return data


class StrictJsonParser(Parser):
    """Ninja's body parser with the rule above. Ninja wraps what it raises in a 400 ``HttpError``;
    the API's handler answers the ``DomainError`` inside (config/api.py)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if not _is_json(request):
            raise unsupported_media_type()
        return parse_json_object(request.body)


def json_or_form(
    request: HttpRequest, *, schema: type[pydantic.BaseModel], file_fields: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """(fields, files) checked against ``schema``: unknown fields answer ``unknown_field``, values
    of the wrong type ``boolean_required`` or ``validation_error`` (a multipart boolean is the text
    ``true`` or ``false``). Missing fields are left to the service, which names them."""
    content_type = (request.content_type or "").lower()
    if content_type in FORM_CONTENT_TYPES:
        data: dict[str, Any] = {k: request.POST.get(k) for k in request.POST}
        files = {name: request.FILES.getlist(name) for name in file_fields}
        unknown_files = [name for name in request.FILES if name not in file_fields]
        for name, field in schema.model_fields.items():
            if name in data and "bool" in str(field.annotation):
                data[name] = {"true": True, "false": False}.get(str(data[name]).strip().lower(), data[name])
        _check(schema, data, extra_unknown=unknown_files)
        return data, files
    if _is_json(request):
        data = parse_json_object(request.body)
    elif not request.body:
        data = {}  # nothing sent: the service names the missing fields
    else:
        raise unsupported_media_type(multipart=bool(file_fields))
    _check(schema, data, extra_unknown=[])
    return data, {name: [] for name in file_fields}


def _check(schema: type[pydantic.BaseModel], data: dict[str, Any], *, extra_unknown: list[str]) -> None:
    raw: list[dict[str, Any]] = [{"type": "extra_forbidden", "loc": (name,)} for name in extra_unknown]
    try:
        schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raw = [dict(e) for e in exc.errors() if e["type"] != "missing"] + raw
    if raw:
        raise validation_error(raw)
