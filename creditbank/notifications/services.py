"""Writes of notifications: preferences, and the one way any context emails a person.

Every context sends its messages to people through :func:`notify`, naming a topic. Decisions
and new notices honour the person's preferences; support replies and messages that the person
must act on (``required=True``, for example "verify your identity again") always go out.
Account security emails (activation, password reset, sign-in alerts) are the accounts context's
own and do not pass here: nobody can opt out of them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction

from creditbank.notifications import tasks
from creditbank.notifications.models import NotificationPreference
from creditbank.notifications.selectors import preferences_of


class Topic(StrEnum):
    DECISION = "decision"  # a reviewer decided the person's request (opt-out)
    NOTICE = "notice"  # a new official notice (opt-in)
    SUPPORT = "support"  # support answered the person's ticket (always)
    ACCOUNT = "account"  # something about the account the person should know (always)


def _wanted(user: Any, topic: Topic) -> bool:
    if topic in (Topic.SUPPORT, Topic.ACCOUNT):
        return True
    prefs = preferences_of(user)
    return prefs.email_decisions if topic is Topic.DECISION else prefs.email_notices


def notify(*, user: Any, topic: Topic, template: str, context: dict[str, str], required: bool = False) -> bool:
    """Email ``user`` the templated message (``<template>_subject.txt``, ``<template>.txt``) in
    their language, after the current transaction commits, if their preferences allow it (or
    ``required``). Returns whether it was queued."""
    if not required and not _wanted(user, topic):
        return False
    user_id, lang = user.pk, getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: tasks.send_email.enqueue(user_id, template, lang, dict(context)))
    return True


def preferences_set(
    *, user: Any, email_decisions: bool | None = None, email_notices: bool | None = None
) -> NotificationPreference:
    """Change one or both preferences (``None`` leaves one as it is)."""
    for name, value in (("email_decisions", email_decisions), ("email_notices", email_notices)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{name} must be a bool")
    with transaction.atomic():
        row, _created = NotificationPreference.objects.select_for_update().get_or_create(user_id=user.pk)
        if email_decisions is not None:
            row.email_decisions = email_decisions
        if email_notices is not None:
            row.email_notices = email_notices
        row.save()
    return row
