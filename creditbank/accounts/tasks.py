"""Background work of the accounts context (run by the task worker)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from creditbank.kernel.mail import send_templated

EMAIL_KINDS = {"activation", "duplicate", "password_reset", "password_changed"}


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@task()
def send_account_email(user_id: int, kind: str, language: str) -> None:
    """Render and send one account email in the user's language."""
    from creditbank.accounts import tokens
    from creditbank.accounts.models import User

    if kind not in EMAIL_KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    with translation.override(language or settings.LANGUAGE_CODE):  # the links' paths in the language too
        context: dict[str, object] = {"user": user}
        if kind == "activation":
            token = tokens.make_token(user, tokens.ACTIVATION)
            context["link"] = _absolute(reverse("accounts:activate", args=[token]))
            context["hours"] = settings.ACTIVATION_TOKEN_MAX_AGE // 3600
        elif kind == "password_reset":
            token = tokens.make_token(user, tokens.PASSWORD_RESET)
            context["link"] = _absolute(reverse("accounts:password_reset_confirm", args=[token]))
            context["hours"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        elif kind == "duplicate":
            context["login_link"] = _absolute(reverse("accounts:login"))
            context["reset_link"] = _absolute(reverse("accounts:password_reset"))
    send_templated(to=user.email, template=f"accounts/email/{kind}", language=language, context=context)


@task()
def send_plain_email(user_id: int, template: str, language: str, context: dict[str, str]) -> None:
    """Send a templated notification (``<template>_subject.txt`` and ``<template>.txt``)."""
    from creditbank.accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    send_templated(to=user.email, template=template, language=language, context={"user": user, **context})
