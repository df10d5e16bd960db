"""Certification (成果认证): a learner applies to certify a self-reported outcome; the reviewers
it is routed to approve it (credits deposited to the ledger), reject it with a reason, or ask
for more evidence. One open application per outcome; the review workflow is ``reviews``'."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import user_require_verified
from creditbank.audit.services import audited_document
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.text import clean_text
from creditbank.ledger.services import ledger_post
from creditbank.notifications.services import Topic, notify
from creditbank.outcomes.domain import fields as f
from creditbank.outcomes.errors import ErrorCode
from creditbank.outcomes.models import (
    CertificationApplication,
    Outcome,
    OutcomeSource,
    OutcomeStatus,
)
from creditbank.outcomes.personal_data import EVIDENCE_CONTEXT
from creditbank.outcomes.reasons import CERTIFICATION_REVIEW, MORE_EVIDENCE, REASON_CODES
from creditbank.outcomes.selectors import application_get_for_actor, outcome_get_for_actor, standard_in_force
from creditbank.outcomes.services.fields import field_error
from creditbank.reviews.services import review_decide, review_withdraw

OPEN_MESSAGE = _("This outcome already has an open application: wait for its decision or withdraw it.")


def _may_apply(outcome: Outcome) -> None:
    if outcome.status == OutcomeStatus.PENDING:
        raise DomainError(ErrorCode.APPLICATION_OPEN, OPEN_MESSAGE, status=409)
    if outcome.source != OutcomeSource.SELF_REPORTED or outcome.status not in (
        OutcomeStatus.DRAFT,
        OutcomeStatus.REJECTED,
    ):
        raise DomainError(
            ErrorCode.OUTCOME_LOCKED,
            _("Only a self-reported outcome that is not certified can be submitted for certification."),
            status=409,
            extra={"status": outcome.status},
        )
    result = outcome.result()
    if result is not None and not f.result(result).passing:  # type: ignore[union-attr]
        raise DomainError(
            ErrorCode.RESULT_NOT_PASSING, _("A failing result earns no credits, so it cannot be certified."),
            field="result",
        )  # fmt: skip
    if not outcome.evidence.exists():
        raise DomainError(
            ErrorCode.EVIDENCE_REQUIRED,
            _("Add at least one evidence file (a certificate or transcript, as a photo or a PDF) first."),
            field="evidence",
        )


def certification_apply(*, user: User, outcome_id: int) -> CertificationApplication:
    """Apply to certify the learner's outcome. It goes to the reviewers of the issuing
    institution when the issuer is a member of the bank, else to the bank's staff; the standard
    in force today for its type and code is attached. The outcome is locked until decided."""
    user_require_verified(user)
    try:
        with transaction.atomic():
            outcome = outcome_get_for_actor(actor=user, id=outcome_id, for_update=True)
            _may_apply(outcome)
            standard = standard_in_force(
                outcome_type=outcome.type, code=outcome.code, owner=outcome.issuer_institution,
                on=timezone.localdate(),
            )  # fmt: skip
            application = CertificationApplication.objects.create(
                user=user, outcome=outcome, routed_to=outcome.issuer_institution, standard=standard
            )
            outcome.status = OutcomeStatus.PENDING
            outcome.save(update_fields=["status", "updated_at"])
    except IntegrityError as exc:
        raise DomainError(ErrorCode.APPLICATION_OPEN, OPEN_MESSAGE, status=409) from exc
    return application


def certification_withdraw(*, user: User, application_id: int) -> CertificationApplication:
    """The learner withdraws a pending application; the outcome is a draft again."""
    with transaction.atomic():
        application = application_get_for_actor(actor=user, id=application_id, for_update=True, acting=Acting.OWNER)
        review_withdraw(kind=CERTIFICATION_REVIEW, request=application)
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decided_at"])
        Outcome.objects.filter(pk=application.outcome_id).update(status=OutcomeStatus.DRAFT, updated_at=timezone.now())
    return application


def _granted(application: CertificationApplication, outcome: Outcome, credits: str | None, reason: str) -> Decimal:
    """The credits an approval grants: the standard's (else the outcome's declared credits), or
    fewer with a reason; never more."""
    allowed = application.standard.credits if application.standard is not None else outcome.credits
    if credits in (None, ""):
        return allowed
    try:
        granted = f.credits(credits)
    except f.FieldError as refused:
        raise field_error(refused) from None
    if granted > allowed:
        raise DomainError(
            ErrorCode.CREDITS_OUT_OF_RANGE,
            _("At most %(max)s credits can be granted for this outcome.") % {"max": f"{allowed:.2f}"},
            field="credits",
            extra={"max": f"{allowed:.2f}"},
        )
    if granted < allowed and not reason:
        raise DomainError(
            ErrorCode.ADJUST_REASON_REQUIRED,
            _("Say why fewer credits than the standard's are granted."),
            field="adjust_reason",
        )
    return granted


def certification_decide(
    *,
    reviewer: User,
    application_id: int,
    decision: str,
    reason_code: str = "",
    note: str = "",
    credits: str | None = None,
    adjust_reason: str = "",
    client_address: str = "",
) -> CertificationApplication:
    """Approve (the credits are deposited in the learner's account in this transaction), reject
    with a reason code, or ask for more evidence (reason ``more_evidence``: the outcome is a
    draft again). The learner is told by email and on their pages."""
    adjust_reason = clean_text(adjust_reason, field="adjust_reason", max_length=500, multiline=True)
    with transaction.atomic():
        application = application_get_for_actor(actor=reviewer, id=application_id, for_update=True, acting=Acting.STAFF)
        outcome = Outcome.objects.select_for_update().get(pk=application.outcome_id)
        learner = User.objects.get(pk=application.user_id)
        granted = _granted(application, outcome, credits, adjust_reason) if decision == "approve" else None

        def approve() -> None:
            assert granted is not None
            entry = ledger_post(
                user=learner, kind="deposit", amount=granted, outcome_id=outcome.pk,
                application_id=application.pk, outcome_type=outcome.type,
            )  # fmt: skip
            application.credits_granted = granted
            application.adjust_reason = adjust_reason if granted != outcome.credits else ""
            application.save(update_fields=["credits_granted", "adjust_reason"])
            outcome.status = OutcomeStatus.CERTIFIED
            outcome.certified_credits = granted
            outcome.certified_at = timezone.now()
            outcome.standard_id = application.standard_id
            outcome.deposit_entry_id = entry.pk

        decided = review_decide(
            kind=CERTIFICATION_REVIEW,
            request=application,
            subject=learner,
            actor=reviewer,
            decision=decision,
            reason_code=reason_code,
            note=note,
            client_address=client_address,
            on_approve=approve,
        )
        more_evidence = decided.decision.value == "reject" and decided.reason_code == MORE_EVIDENCE
        if decided.decision.value == "reject":
            outcome.status = OutcomeStatus.DRAFT if more_evidence else OutcomeStatus.REJECTED
        outcome.save()
        notify(
            user=learner,
            topic=Topic.DECISION,
            template="outcomes/email/certification_decided",
            context={
                "decision": decided.decision.value,
                "more_evidence": "yes" if more_evidence else "",
                "title": outcome.title,
                "credits": f"{granted:.2f}" if granted is not None else "",
                "outcome_id": str(outcome.pk),
                "note": decided.note,
                "reason": str(REASON_CODES.get(decided.reason_code, "")),
            },
        )
    return application


def certification_evidence_for_reviewer(
    *, reviewer: User, application_id: int, evidence_id: int, client_address: str = ""
) -> tuple[bytes, str, str]:
    """An evidence file of an application's outcome, for a reviewer it is routed to (audited):
    (data, content type, its name)."""
    try:
        application = application_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF)
    except NotFound as exc:
        raise NotFound(_("No such file.")) from exc
    return audited_document(
        actor=reviewer,
        owner=application.user,
        document=application.outcome.evidence.filter(pk=evidence_id).first(),
        context=EVIDENCE_CONTEXT,
        action="certification.evidence_viewed",
        object_type="certification",
        object_id=f"{application_id}:{evidence_id}",
        client_address=client_address,
    )


def evidence_for_owner(*, user: User, outcome_id: int, evidence_id: int) -> tuple[bytes, str, str]:
    """One of the learner's own evidence files."""
    outcome = outcome_get_for_actor(actor=user, id=outcome_id)
    return audited_document(  # the owner's own file: no audit row
        actor=user,
        owner=user,
        document=outcome.evidence.filter(pk=evidence_id).first(),
        context=EVIDENCE_CONTEXT,
        action="certification.evidence_viewed",
        object_type="outcome",
        object_id=f"{outcome_id}:{evidence_id}",
    )
