"""An institution revokes an outcome it deposited: the credits are reversed, the learner told."""

from __future__ import annotations

from collections.abc import Sequence
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
from creditbank.outcomes.holds import held_on_revocation
from creditbank.outcomes.models import Outcome, OutcomeStatus
from creditbank.outcomes.selectors import deposited_outcome_get


def outcome_revoke(
    *, institution: Any, outcome_id: int, reason: str, actor: Any = None, revoked_by: str, client_address: str = ""
) -> Outcome:
    """Revoke a certified outcome ``institution`` deposited, with a reason: a ``reversal`` entry
    takes its credits back in the same transaction. When a conversion holds the outcome (pending
    or approved), its credits are not touched: the conversion is flagged for the target
    institution's review with the reversing entries proposed (``holds``), and the credits are
    taken back once that review releases them (:func:`outcomes_close_revoked`)."""
    reason = clean_text(reason, field="reason", max_length=500, required=True, multiline=True)
    with transaction.atomic():
        outcome = deposited_outcome_get(institution=institution, id=outcome_id, for_update=True)
        if outcome.status != OutcomeStatus.CERTIFIED or outcome.closing_entry_id is not None:
            raise DomainError(
                ErrorCode.OUTCOME_NOT_REVOCABLE, _("Only a certified outcome that has not expired can be revoked."),
                status=409, extra={"status": outcome.status},
            )  # fmt: skip
        learner = User.objects.get(pk=outcome.user_id)
        held = held_on_revocation(learner, outcome.pk, reason)
        if not held:
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
            outcome.closing_entry_id = entry.pk
        outcome.status = OutcomeStatus.REVOKED
        outcome.revoked_reason = reason
        outcome.revoked_at = timezone.now()
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
                "held": "yes" if held else "",
            },
        )
    return outcome


def outcomes_close_revoked(*, learner: Any, outcome_ids: Sequence[int]) -> list[int]:
    """Take back the credits of revoked outcomes that a conversion held and no longer holds (its
    review released them): a ``reversal`` of each one's deposit, in the caller's transaction.
    Answers the ids closed; outcomes still held, not revoked or closed already are left alone."""
    closed = []
    rows = Outcome.objects.select_for_update().filter(
        pk__in=list(outcome_ids), user_id=learner.pk, status=OutcomeStatus.REVOKED, closing_entry_id__isnull=True
    )
    for outcome in rows.order_by("id"):
        if outcome.deposit_entry_id is None:
            continue
        entry = ledger_post(user=learner, kind="reversal", amount=None, reverses=outcome.deposit_entry_id)
        outcome.closing_entry_id = entry.pk
        outcome.save(update_fields=["closing_entry_id", "updated_at"])
        closed.append(outcome.pk)
    return closed
