"""An institution revokes an outcome it deposited: the credits are reversed, the learner told."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.audit.services import audit_record
from creditbank.kernel.errors import DomainError
from creditbank.kernel.text import clean_text
from creditbank.ledger.services import ledger_post
from creditbank.notifications.services import Topic, notify
from creditbank.outcomes.errors import ErrorCode
from creditbank.outcomes.models import Outcome, OutcomeStatus
from creditbank.outcomes.selectors import deposited_outcome_get


def outcome_revoke(
    *, institution: Any, outcome_id: int, reason: str, actor: Any = None, revoked_by: str, client_address: str = ""
) -> Outcome:
    """Revoke a certified outcome ``institution`` deposited, with a reason: a ``reversal`` entry
    takes its credits back in the same transaction. Credits already frozen for or used by a
    conversion cannot be taken back here (409 ``outcome_already_converted``; the conversion
    issue handles those)."""
    reason = clean_text(reason, field="reason", max_length=500, required=True, multiline=True)
    with transaction.atomic():
        outcome = deposited_outcome_get(institution=institution, id=outcome_id, for_update=True)
        if outcome.status != OutcomeStatus.CERTIFIED or outcome.closing_entry_id is not None:
            raise DomainError(
                ErrorCode.OUTCOME_NOT_REVOCABLE, _("Only a certified outcome that has not expired can be revoked."),
                status=409, extra={"status": outcome.status},
            )  # fmt: skip
        learner = User.objects.get(pk=outcome.user_id)
        try:
            entry = ledger_post(user=learner, kind="reversal", amount=None, reverses=outcome.deposit_entry_id)
        except DomainError as refused:
            if refused.code != "insufficient_credits":
                raise
            raise DomainError(
                ErrorCode.OUTCOME_ALREADY_CONVERTED,
                _("This outcome's credits are frozen for or used by a conversion, so it cannot be revoked yet."),
                status=409,
            ) from None
        outcome.status = OutcomeStatus.REVOKED
        outcome.revoked_reason = reason
        outcome.revoked_at = timezone.now()
        outcome.closing_entry_id = entry.pk
        outcome.save()
        audit_record(
            actor=actor, action="outcome.revoked", subject=learner, object_type="outcome", object_id=outcome.pk,
            reason=f"{revoked_by}: {reason}", client_address=client_address,
        )  # fmt: skip
        notify(
            user=learner,
            topic=Topic.ACCOUNT,
            template="outcomes/email/outcome_revoked",
            context={
                "institution": institution.name_zh,
                "title": outcome.title,
                "credits": f"{outcome.certified_credits:.2f}",
                "reason": reason,
                "outcome_id": str(outcome.pk),
            },
        )
    return outcome
