"""Daily: post the expiry of credits whose certificate has expired, where the policy says so."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from creditbank.outcomes.services import outcomes_expire


class Command(BaseCommand):
    help = "Expire the credits of certified outcomes past their expires_on (POLICY_CREDITS_EXPIRE_WITH_CERTIFICATE)."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = outcomes_expire()
        self.stdout.write(f"expired {expired} outcome(s)")
