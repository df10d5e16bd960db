"""Credits that expire with their certificate (a deployment's policy, off by default)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from creditbank.accounts.models import User
from creditbank.kernel.errors import DomainError
from creditbank.kernel.policy import policy
from creditbank.ledger.services import ledger_post
from creditbank.outcomes.models import Outcome, OutcomeStatus


def outcomes_expire(*, today: date | None = None) -> int:
    """Post an ``expiry`` entry for every certified outcome past its ``expires_on`` whose
    credits have not expired yet, when the policy says credits expire with the certificate.
    Each outcome in its own transaction; a rerun expires nothing twice. Credits frozen for or
    used by a conversion are left (``insufficient_credits``) and retried on the next run.
    Returns how many outcomes expired."""
    if not policy().credits_expire_with_certificate:
        return 0
    today = today or timezone.localdate()
    due = Outcome.objects.filter(
        status=OutcomeStatus.CERTIFIED, expires_on__lt=today, closing_entry_id__isnull=True
    ).values_list("pk", flat=True)
    expired = 0
    for outcome_id in list(due.order_by("pk")):
        with transaction.atomic():
            outcome = Outcome.objects.select_for_update().get(pk=outcome_id)
            if outcome.closing_entry_id is not None or outcome.status != OutcomeStatus.CERTIFIED:
                continue
            try:
                entry = ledger_post(
                    user=User.objects.get(pk=outcome.user_id), kind="expiry", amount=outcome.certified_credits,
                    outcome_id=outcome.pk, outcome_type=outcome.type,
                )  # fmt: skip
            except DomainError as refused:
                if refused.code == "insufficient_credits":
                    continue
                raise
            outcome.closing_entry_id = entry.pk
            outcome.expired_at = timezone.now()
            outcome.save(update_fields=["closing_entry_id", "expired_at", "updated_at"])
            expired += 1
    return expired
