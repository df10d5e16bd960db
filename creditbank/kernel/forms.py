"""The one mapping from :class:`DomainError` to page errors: next to the field, or on top."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from creditbank.kernel.errors import DomainError, ErrorCode, NotFound


def apply_domain_error(form: forms.Form, exc: DomainError, *, request: HttpRequest | None = None) -> None:
    """Put each message next to its field when the form has it, otherwise above the form."""
    placed = False
    for field, msgs in exc.errors.items():
        target = field if field in form.fields else None
        for msg in msgs:
            form.add_error(target, str(msg))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))
    if request is not None and exc.code == ErrorCode.RATE_LIMITED:
        messages.warning(request, str(exc.message))


def refusal_message(request: HttpRequest, exc: DomainError) -> None:
    """Show a refusal as a message on the page the view redirects to. A :class:`NotFound` is no
    refusal to explain: it is raised again, and the pages' middleware answers the 404 page
    (``kernel.middleware.DomainErrorPageMiddleware``)."""
    if isinstance(exc, NotFound):
        raise exc
    messages.error(request, str(exc.message))


def query_choice(request: HttpRequest, name: str, choices: Any, *, default: str) -> str:
    """A page's filter from the query string (``?status=…``): one of ``choices`` (an enum of
    values, or strings) or ``all``; anything else is ``default``."""
    value = request.GET.get(name, default)
    allowed = {str(getattr(c, "value", c)) for c in choices} | {"all"}
    return value if value in allowed else default
