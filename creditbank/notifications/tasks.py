"""Background work of notifications: rendering and sending one email."""

from __future__ import annotations

from django_tasks import task

from creditbank.kernel.mail import send_templated


@task()
def send_email(user_id: int, template: str, language: str, context: dict[str, str]) -> None:
    """Send ``<template>_subject.txt`` / ``<template>.txt`` to the account's current address."""
    from creditbank.accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    send_templated(to=user.email, template=template, language=language, context={"user": user, **context})
