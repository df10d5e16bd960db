"""Background work of notifications: rendering and sending one email."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_email(user_id: int, template: str, language: str, context: dict[str, str]) -> None:
    """Send ``<template>_subject.txt`` / ``<template>.txt`` to the account's current address."""
    from creditbank.accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        ctx: dict[str, object] = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", ctx).strip()
        body = render_to_string(f"{template}.txt", ctx)
    EmailMessage(subject=" ".join(subject.splitlines()), body=body, to=[user.email]).send()
