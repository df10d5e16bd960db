"""Reads of the audit context."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from creditbank.audit.models import AuditEvent


def audit_events_for_subject(*, subject: Any) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(subject=subject).select_related("actor")


def audit_events(*, action: str | None = None) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor", "subject")
    return qs.filter(action=action) if action else qs
