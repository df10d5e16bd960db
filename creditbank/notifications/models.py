from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationPreference(models.Model):
    """Which emails a person wants beyond the ones every account gets (security and support).

    PII: the person's choices (a row per account that changed a default).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_decisions = models.BooleanField(default=True)
    email_notices = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
