"""The time the institutions context's services read (tests move it: ``monkeypatch.setattr(clock,
"now", …)``), so that overlap windows and token lifetimes are tested without waiting."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
