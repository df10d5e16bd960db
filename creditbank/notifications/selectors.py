"""Reads of notification preferences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from creditbank.accounts.models import AccountStatus, User
from creditbank.notifications.models import NotificationPreference

DEFAULT_EMAIL_DECISIONS = NotificationPreference._meta.get_field("email_decisions").default
DEFAULT_EMAIL_NOTICES = NotificationPreference._meta.get_field("email_notices").default


@dataclass(frozen=True)
class Preferences:
    email_decisions: bool
    email_notices: bool


def preferences_of(user: Any) -> Preferences:
    row = NotificationPreference.objects.filter(user_id=user.pk).first()
    if row is None:
        return Preferences(email_decisions=DEFAULT_EMAIL_DECISIONS, email_notices=DEFAULT_EMAIL_NOTICES)
    return Preferences(email_decisions=row.email_decisions, email_notices=row.email_notices)


def users_wanting_notice_emails() -> QuerySet[User]:
    """Active accounts whose owners asked for new official notices by email."""
    wants = Q(notification_preference__email_notices=True)
    if DEFAULT_EMAIL_NOTICES:
        wants |= Q(notification_preference__isnull=True)
    return (
        User.objects.filter(wants, is_active=True)
        .exclude(status__in=[AccountStatus.SUSPENDED, AccountStatus.CLOSED])
        .exclude(email="")  # an account an institution opened without an email address
    )
