"""Rendering and sending one templated email: the one place every context's email tasks use."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)


def send_templated(*, to: str, template: str, language: str, context: Mapping[str, object]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` in ``language`` (the site's
    default if empty) with ``site_url`` and ``context``, and send them to ``to``. A subject is
    one line, whatever the template's line breaks. An account without an email address (one an
    institution opened without it) gets nothing: there is nowhere to send it."""
    if not to:
        log.info("email %s not sent: the account has no email address", template)
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        ctx: dict[str, object] = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", ctx).strip()
        body = render_to_string(f"{template}.txt", ctx)
    EmailMessage(subject=" ".join(subject.splitlines()), body=body, to=[to]).send()
