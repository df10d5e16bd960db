"""Conversion claims: which outcome a conversion application uses for which programme.

Invariant 2 of the design (no outcome converts twice into the same programme, even when two
conversions of one learner run at the same moment) is the database's to keep: ``ConversionClaim``
has a partial unique constraint on (outcome, programme) among active claims, and one on the
outcome alone among active claims taken where the deployment's policy lets an outcome be used
once (``exclusive``). Claims are inserted in a savepoint, and the database's refusal becomes
``conversion_claim_taken`` (409); the rules context, which makes applications, answers its own
``outcome_already_converted`` for it. Taking claims also locks the learner's credit account row,
so claims and postings of one learner happen one after the other (docs/adr/0027).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError
from creditbank.ledger.domain.credits import CreditsError
from creditbank.ledger.domain.postings import programme_key
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import ConversionClaim
from creditbank.ledger.services.conversions import conversion_input_error, positive_id
from creditbank.ledger.services.posting import account_lock, ledger_error


def _taken(outcome_ids: Sequence[int]) -> DomainError:
    return DomainError(
        ErrorCode.CONVERSION_CLAIM_TAKEN,
        _("These outcomes are used by another conversion already."),
        status=409,
        extra={"outcome_ids": sorted(outcome_ids)},
    )


def _conflicts(ids: Sequence[int], programme: str, *, exclusive: bool, other_policy_only: bool) -> list[int]:
    """The outcomes among ``ids`` that an active claim keeps from this claim: one for the same
    programme; under the used-once policy, any; otherwise one taken under the used-once policy.
    ``other_policy_only``: only what the unique constraints do not cover (a claim taken under the
    other policy, after a change of policy)."""
    active = ConversionClaim.objects.filter(active=True, outcome_id__in=ids)
    if other_policy_only:
        blocking = Q(exclusive__isnull=True) if exclusive else Q(exclusive__isnull=False)
        active = active.filter(blocking).exclude(programme=programme)
    elif not exclusive:
        active = active.filter(Q(programme=programme) | Q(exclusive__isnull=False))
    return sorted(set(active.values_list("outcome_id", flat=True)))


@transaction.atomic
def conversion_claims_take(
    *, user: Any, application_id: int, programme: str, outcome_ids: Sequence[int], exclusive: bool
) -> list[ConversionClaim]:
    """Claim ``outcome_ids`` for conversion application ``application_id`` into ``programme`` (a
    programme key), for ``user``, whose credit account row is locked for the rest of the
    transaction. ``exclusive``: the deployment's policy lets an outcome be used once (the
    default), so no other active claim may hold it for any programme; otherwise it may be claimed
    once per programme. Answers the claims. Refusals (nothing is claimed): ``programme_key_invalid``,
    ``conversion_input_invalid`` (no outcome, an outcome named twice, an id that is not a positive
    integer), ``conversion_claim_taken`` (409, ``outcome_ids``: those an active claim holds)."""
    positive_id(application_id, field="application_id")
    try:
        key = programme_key(programme)
    except CreditsError as refused:
        raise ledger_error(refused) from None
    ids = [positive_id(outcome_id, field="outcome_ids") for outcome_id in outcome_ids]
    if not ids:
        raise conversion_input_error(_("Name the outcomes the application uses."))
    if len(set(ids)) != len(ids):
        raise conversion_input_error(_("An outcome is used once in a conversion."))
    account_lock(user=user)
    # the constraints compare claims of one policy; a claim of the other (the policy changed while
    # it was active) is looked for here, under the lock that every claim of this learner takes
    if other := _conflicts(ids, key, exclusive=exclusive, other_policy_only=True):
        raise _taken(other)
    claims = [
        ConversionClaim(
            user=user,
            outcome_id=outcome_id,
            programme=key,
            application_id=application_id,
            exclusive=outcome_id if exclusive else None,
        )
        for outcome_id in ids
    ]
    try:
        with transaction.atomic():
            return ConversionClaim.objects.bulk_create(claims)
    except IntegrityError:
        held = _conflicts(ids, key, exclusive=exclusive, other_policy_only=False)
        if not held:  # pragma: no cover - another constraint: not a claim taken
            raise
        raise _taken(held) from None


@transaction.atomic
def conversion_claims_release(*, application_id: int) -> int:
    """Release the active claims of conversion application ``application_id`` (rejected,
    withdrawn, or its conversion reversed): they stay as the record, inactive, with the time of
    release, and the outcomes may be claimed again. Answers how many were released (0 when none
    is active, so a second call changes nothing)."""
    positive_id(application_id, field="application_id")
    held = list(
        ConversionClaim.objects.select_for_update()
        .filter(application_id=application_id, active=True)
        .values_list("pk", flat=True)
    )
    return ConversionClaim.objects.filter(pk__in=held).update(active=False, released_at=timezone.now())
