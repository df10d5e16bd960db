"""An institution vouches for the identity of an account it opened (批量开户), where the
deployment's policy lets it (``INSTITUTION_VOUCHES_IDENTITY``).

The vouching is one more verification attempt in the account's history, with the institution as
its source and no photos, approved automatically through the review workflow: the decision passes
``decision_record()`` like any other, so the audit trail (and later the transparency log) holds it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services import user_mark_verified
from creditbank.identity.models import VerificationAttempt, VerificationSource, VerificationStatus
from creditbank.identity.reasons import VERIFICATION_REVIEW
from creditbank.reviews.services import review_decide

#: The one check of a vouched attempt (its label is in identity.labels).
VOUCHED_CHECK = "institution_vouched"


def verification_vouch(*, user: User, institution_code: str, client_address: str = "") -> VerificationAttempt | None:
    """Record that institution ``institution_code`` vouches for ``user``'s identity and verify
    the account, if it is activated and has no pending or approved attempt; otherwise nothing is
    written and None is returned (an account verified meanwhile keeps its own history).

    The caller (the institutions context) has checked that the policy allows vouching and that
    the institution opened this account. No email is sent: the learner has not logged in yet.
    """
    if not institution_code:
        raise ValueError("an institution vouches by its code")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        busy = VerificationAttempt.objects.filter(
            user=locked, status__in=[VerificationStatus.PENDING, VerificationStatus.APPROVED]
        ).exists()
        if locked.status != AccountStatus.ACTIVATED or busy:
            return None
        now = timezone.now()
        attempt = VerificationAttempt.objects.create(
            user=locked,
            declared_name=locked.name,
            declared_gender=locked.gender,
            consent_at=now,
            consent_version=f"institution:{institution_code}"[:32],
            checks=[{"name": VOUCHED_CHECK, "status": "passed", "data": {"institution": institution_code}}],
            checks_completed_at=now,
            provider=f"institution:{institution_code}",
            source=VerificationSource.INSTITUTION,
            source_institution=institution_code,
        )
        review_decide(
            kind=VERIFICATION_REVIEW,
            request=attempt,
            subject=locked,
            actor=None,
            decision="approve",
            client_address=client_address,
            on_approve=lambda: user_mark_verified(user=locked, at=attempt.decided_at),
            audit_reason=f"institution:{institution_code}",
        )
        attempt.auto_decided = True
        attempt.save(update_fields=["auto_decided"])
    user.refresh_from_db(fields=["status", "verified_at"])
    return attempt
