"""Request bodies that may come as JSON or, when files are attached, as multipart."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from creditbank.kernel.errors import DomainError


def json_or_form(
    request: HttpRequest, *, file_fields: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """(fields, files). Multipart/form bodies give strings; JSON bodies give JSON values."""
    content_type = (request.content_type or "").lower()
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        data = {k: request.POST.get(k) for k in request.POST}
        files = {name: request.FILES.getlist(name) for name in file_fields}
        return data, files
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise DomainError("invalid_body", _("The request body is not valid JSON.")) from exc
    if not isinstance(body, dict):
        raise DomainError("invalid_body", _("The request body must be a JSON object."))
    return body, {name: [] for name in file_fields}
