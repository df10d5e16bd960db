"""Posting a conversion (学分转换) and what comes before and after it, each in one transaction
under the learner's account lock, so a conversion serialises with deposits and with any other
conversion of the same learner (docs/adr/0027).

An application first freezes the credits of the outcomes it uses (``ledger_freeze_for_application``:
available → frozen, one freeze per outcome). Approved, it is posted (``ledger_post_conversion``):
each outcome's frozen credits leave the bank credits (``conversion_debit``: frozen → converted)
and the credits the programme grants arrive in the learner's account for that programme
(``conversion_credit``: converted → programme). Rejected or withdrawn, its credits are released
(``ledger_unfreeze_for_application``); a conversion taken back is reversed
(``ledger_reverse_conversion``). Every entry carries the application's id, and the outcome's id
where it moves an outcome's credits, so what an application holds is read from its entries.

The ledger does not decide whether a conversion is allowed (the rules context evaluates the
rule); it refuses what would break its own invariants: an outcome's credits taken twice or beyond
what it holds, credits converted that the application had not frozen, a conversion posted twice
or for outcomes the application has not claimed (``services.claims``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.ledger.domain.credits import ZERO, CreditsError, positive_credits
from creditbank.ledger.domain.postings import Kind, own_changes, programme_key
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import ConversionClaim, CreditAccount, LedgerEntry
from creditbank.ledger.services.posting import OUTCOME_TYPE_MAX, Posting, account_lock, ledger_error

#: (outcome id, outcome type, credits): an outcome whose credits a conversion uses.
Consumed = Sequence[tuple[int, str, object]]


@dataclass(frozen=True)
class _Use:
    outcome_id: int
    outcome_type: str
    credits: Decimal


def conversion_input_error(message: Any, **extra: Any) -> DomainError:
    return DomainError(ErrorCode.CONVERSION_INPUT_INVALID, message, extra=extra or None)


def positive_id(value: object, *, field: str) -> int:
    """An outcome's or application's id: a positive integer (``conversion_input_invalid``)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise DomainError(
            ErrorCode.CONVERSION_INPUT_INVALID, _("An outcome or application is named by its number."), field=field
        )
    return value


def _uses(consumed: Consumed) -> list[_Use]:
    """``consumed`` checked: positive ids, each outcome once, an outcome type of at most 32
    characters, credits greater than zero with at most two decimal places."""
    uses: list[_Use] = []
    seen: set[int] = set()
    for item in consumed:
        try:
            outcome_id, outcome_type, amount = item
        except (TypeError, ValueError):
            raise conversion_input_error(_("Each outcome used is its number, its type and its credits.")) from None
        positive_id(outcome_id, field="outcome_id")
        if outcome_id in seen:
            raise conversion_input_error(_("An outcome is used once in a conversion."), outcome_id=outcome_id)
        seen.add(outcome_id)
        if not isinstance(outcome_type, str) or len(outcome_type) > OUTCOME_TYPE_MAX:
            raise DomainError(KernelCode.TOO_LONG, _("The outcome type is too long."), field="outcome_type")
        try:
            value = positive_credits(amount)
        except CreditsError as refused:
            raise ledger_error(refused) from None
        uses.append(_Use(outcome_id, outcome_type, value))
    return uses


def _application_frozen(account: CreditAccount, application_id: int) -> dict[int | None, tuple[Decimal, str]]:
    """What ``application_id``'s entries hold frozen, by outcome id: (credits, outcome type)."""
    held: dict[int | None, tuple[Decimal, str]] = {}
    rows = LedgerEntry.objects.filter(account=account, application_id=application_id).values_list(
        "outcome_id", "outcome_type", "debit", "credit", "amount"
    )
    for outcome_id, outcome_type, debit, credit, amount in rows.order_by("seq"):
        _available, frozen = own_changes(debit, credit, amount)
        before, known_type = held.get(outcome_id, (ZERO, ""))
        held[outcome_id] = (before + frozen, known_type or outcome_type)
    return {key: value for key, value in held.items() if value[0] != ZERO}


def _check_types(account: CreditAccount, uses: list[_Use]) -> None:
    """Each outcome's type is the one its entries carry (credits of one type never leave as
    another's: ``by_type`` would drift from the outcomes)."""
    recorded: dict[int, set[str]] = {}
    rows = (
        LedgerEntry.objects.filter(account=account, outcome_id__in=[u.outcome_id for u in uses])
        .exclude(outcome_type="")
        .values_list("outcome_id", "outcome_type")
        .distinct()
    )
    for outcome_id, outcome_type in rows:
        if outcome_id is not None:
            recorded.setdefault(outcome_id, set()).add(outcome_type)
    for use in uses:
        types = recorded.get(use.outcome_id)
        if types and use.outcome_type not in types:
            raise conversion_input_error(
                _("The outcome's type is not the one its credits were deposited with."),
                outcome_id=use.outcome_id,
                recorded_type=sorted(types)[0],
            )


def _freeze(posting: Posting, application_id: int, uses: list[_Use]) -> list[LedgerEntry]:
    """A freeze of each outcome's credits for the application, which holds none of them frozen yet."""
    frozen = _application_frozen(posting.account, application_id)
    if already := sorted(u.outcome_id for u in uses if u.outcome_id in frozen):
        raise DomainError(
            ErrorCode.FREEZE_MISMATCH,
            _("These outcomes' credits are frozen for this application already."),
            status=409,
            extra={"outcome_ids": already},
        )
    return [
        posting.post(
            kind=Kind.FREEZE,
            amount=use.credits,
            outcome_id=use.outcome_id,
            outcome_type=use.outcome_type,
            application_id=application_id,
        )
        for use in uses
    ]


def _unfreeze_all(posting: Posting, application_id: int) -> list[LedgerEntry]:
    """An unfreeze of whatever the application still holds frozen, outcome by outcome."""
    frozen = _application_frozen(posting.account, application_id)
    return [
        posting.post(
            kind=Kind.UNFREEZE,
            amount=amount,
            outcome_id=outcome_id,
            outcome_type=outcome_type,
            application_id=application_id,
        )
        for outcome_id, (amount, outcome_type) in sorted(frozen.items(), key=lambda item: item[0] or 0)
        if amount > ZERO
    ]


@transaction.atomic
def ledger_freeze_for_application(*, user: Any, application_id: int, consumed: Consumed) -> list[LedgerEntry]:
    """Freeze, for a conversion application, the credits of each outcome it uses (one
    ``freeze`` per outcome: available → frozen, with the outcome's id and type and the
    application's id), in one transaction under the account lock; answers the entries.
    Refusals (nothing is posted): ``conversion_input_invalid`` (no outcome, one named twice, a
    type other than its deposit's), ``amount_invalid``, ``insufficient_credits`` (the outcome, or
    the account, has fewer available credits), ``freeze_mismatch`` (409: the application holds
    an outcome frozen already)."""
    positive_id(application_id, field="application_id")
    uses = _uses(consumed)
    if not uses:
        raise conversion_input_error(_("Name the outcomes whose credits the application uses."))
    posting = Posting(account_lock(user=user))
    _check_types(posting.account, uses)
    entries = _freeze(posting, application_id, uses)
    posting.save()
    return entries


@transaction.atomic
def ledger_unfreeze_for_application(*, user: Any, application_id: int) -> list[LedgerEntry]:
    """Release what a conversion application holds frozen (rejected or withdrawn): an
    ``unfreeze`` for each outcome whose credits it still holds frozen, in one transaction under
    the account lock. Answers the entries; none when nothing is frozen for it (so a second call
    posts nothing)."""
    positive_id(application_id, field="application_id")
    if not CreditAccount.objects.filter(user=user).exists():
        return []
    posting = Posting(account_lock(user=user))
    entries = _unfreeze_all(posting, application_id)
    posting.save()
    return entries


def _posted(account: CreditAccount, application_id: int) -> bool:
    """Whether the application's conversion is posted and not reversed."""
    return LedgerEntry.objects.filter(
        account=account,
        application_id=application_id,
        kind__in=[Kind.CONVERSION_DEBIT, Kind.CONVERSION_CREDIT],
        reversed_by__isnull=True,
    ).exists()


def _check_claims(user: Any, application_id: int, programme: str, uses: list[_Use]) -> None:
    claimed = set(
        ConversionClaim.objects.filter(
            user=user, application_id=application_id, programme=programme, active=True
        ).values_list("outcome_id", flat=True)
    )
    if missing := sorted(u.outcome_id for u in uses if u.outcome_id not in claimed):
        raise DomainError(
            ErrorCode.CONVERSION_CLAIM_MISSING,
            _("The application has not claimed these outcomes for this programme."),
            status=409,
            extra={"outcome_ids": missing},
        )


@transaction.atomic
def ledger_post_conversion(
    *,
    user: Any,
    application_id: int,
    programme: str,
    consumed: Consumed,
    granted: object,
    frozen: bool,
) -> list[LedgerEntry]:
    """Post an approved conversion in one transaction under the account lock, and answer its
    entries in order:

    1. unless ``frozen`` (the application froze its outcomes' credits while it waited), a
       ``freeze`` of each consumed outcome's credits, as :func:`ledger_freeze_for_application`;
    2. a ``conversion_debit`` of each consumed outcome's credits (frozen → converted: they leave
       the bank credits and the outcome type's holding), with its outcome's id and type;
    3. an ``unfreeze`` of anything else the application held frozen (an outcome it froze but did
       not use), so nothing stays frozen for a decided application;
    4. one ``conversion_credit`` of ``granted`` into ``programme`` (converted → programme).

    Every entry carries ``application_id``. ``consumed`` may be empty where the deployment lets
    several programmes recognise one outcome and its credits left the bank credits at its first
    conversion (``selectors.outcome_ids_converted``): the programme is then credited only.
    Refusals (nothing is posted): ``programme_key_invalid``, ``amount_invalid``,
    ``conversion_input_invalid``, ``conversion_already_posted`` (409: the application's
    conversion is posted and not reversed), ``conversion_claim_missing`` (409: a consumed outcome
    without an active claim of this application for this programme), ``freeze_mismatch`` (409:
    ``frozen`` but the application does not hold exactly the outcome's credits frozen, or not
    ``frozen`` and it holds some), ``insufficient_credits``."""
    positive_id(application_id, field="application_id")
    try:
        key = programme_key(programme)
        amount = positive_credits(granted)
    except CreditsError as refused:
        raise ledger_error(refused) from None
    uses = _uses(consumed)
    posting = Posting(account_lock(user=user))
    account = posting.account
    if _posted(account, application_id):
        raise DomainError(
            ErrorCode.CONVERSION_ALREADY_POSTED, _("This application's conversion is posted already."), status=409
        )
    _check_claims(user, application_id, key, uses)
    _check_types(account, uses)
    entries: list[LedgerEntry] = []
    if frozen:
        held = _application_frozen(account, application_id)
        wrong = sorted(u.outcome_id for u in uses if held.get(u.outcome_id, (ZERO, ""))[0] != u.credits)
        if wrong:
            raise DomainError(
                ErrorCode.FREEZE_MISMATCH,
                _("The credits frozen for this application are not the credits it converts."),
                status=409,
                extra={"outcome_ids": wrong},
            )
    else:
        entries += _freeze(posting, application_id, uses)
    for use in uses:
        entries.append(
            posting.post(
                kind=Kind.CONVERSION_DEBIT,
                amount=use.credits,
                outcome_id=use.outcome_id,
                outcome_type=use.outcome_type,
                application_id=application_id,
            )
        )
    entries += _unfreeze_all(posting, application_id)
    entries.append(
        posting.post(kind=Kind.CONVERSION_CREDIT, amount=amount, application_id=application_id, programme=key)
    )
    posting.save()
    return entries


@transaction.atomic
def ledger_reverse_conversion(*, user: Any, application_id: int) -> list[LedgerEntry]:
    """Take back a posted conversion in one transaction under the account lock: a ``reversal`` of
    its ``conversion_credit`` (programme → converted), then of each ``conversion_debit``
    (converted → frozen, back in the outcome type's holding), then an ``unfreeze`` of what the
    application holds frozen, so the outcomes' credits are available again. Answers the entries.
    Refusals (nothing is posted): ``conversion_not_posted`` (409: no conversion of this
    application that is not reversed already), ``insufficient_credits`` (409: the programme no
    longer holds the credits granted)."""
    positive_id(application_id, field="application_id")
    not_posted = DomainError(
        ErrorCode.CONVERSION_NOT_POSTED, _("This application has no conversion to take back."), status=409
    )
    if not CreditAccount.objects.filter(user=user).exists():
        raise not_posted
    posting = Posting(account_lock(user=user))
    originals = LedgerEntry.objects.filter(
        account=posting.account,
        application_id=application_id,
        kind__in=[Kind.CONVERSION_DEBIT, Kind.CONVERSION_CREDIT],
        reversed_by__isnull=True,
    )
    credits_first = sorted(originals, key=lambda e: (e.kind != Kind.CONVERSION_CREDIT, e.seq))
    if not credits_first:
        raise not_posted
    entries = [posting.post(kind=Kind.REVERSAL, amount=None, reverses=original) for original in credits_first]
    entries += _unfreeze_all(posting, application_id)
    posting.save()
    return entries
