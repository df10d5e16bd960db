"""Reads of credit accounts and their entries, with the access check, and the ledger's audit.

``credit_account_get_for_actor`` is the gate: the owner, or bank staff holding
``Role.LEDGER_AUDITOR``, whose every read is recorded in the audit trail; anyone else gets the
same ``NotFound`` as for an account that does not exist. Staff find an account by its learner's
account number with ``credit_account_locate_for_staff``, saying why, then read it through the
gate with that reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.roles import Acting, Role, has_role, object_for_actor
from creditbank.audit.services import audit_record
from creditbank.identity.errors import ErrorCode as IdentityCode
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.text import clean_text
from creditbank.ledger.domain.credits import ZERO, credits
from creditbank.ledger.domain.postings import OUTCOME_TYPES, UNSPECIFIED, Kind, SubAccount, type_key
from creditbank.ledger.domain.verify import Projection, StoredEntry, account_problems
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import ConversionClaim, CreditAccount, LedgerEntry
from creditbank.ledger.services.posting import entry_record

log = logging.getLogger(__name__)

NO_ACCOUNT = _("No such credit account.")
NO_ACCOUNT_NO = _("No credit account has this account number (an account opens with its first deposit).")
#: The audit action of every staff read of a learner's credit account.
ACCOUNT_VIEWED = "ledger.account_viewed"
REASON_MAX = 500
#: The outcome types an entry filter takes: the contract's, and ``unspecified``.
ENTRY_TYPES = (*OUTCOME_TYPES, UNSPECIFIED)


def credit_account_get_for_actor(
    *,
    actor: Any,
    id: int,
    acting: Acting = Acting.EITHER,
    reason: str = "",
    client_address: str = "",
) -> CreditAccount:
    """The credit account ``id`` if ``actor`` owns it or holds ``Role.LEDGER_AUDITOR`` (as
    ``acting`` says); a staff read of someone else's account is audited (``ledger.account_viewed``,
    with the ``reason`` given for it). Anyone else gets the same NotFound as for an account that
    does not exist, and the refusal is logged."""
    try:
        account = object_for_actor(
            CreditAccount.objects.select_related("user"),
            actor=actor,
            id=id,
            role=Role.LEDGER_AUDITOR,
            missing=NO_ACCOUNT,
            acting=acting,
        )
    except NotFound:
        if getattr(actor, "is_authenticated", False) and CreditAccount.objects.filter(pk=id).exists():
            log.warning("credit account access refused: account %s asked for credit account %s", actor.pk, id)
        raise
    if account.user_id != getattr(actor, "pk", None):
        audit_record(
            actor=actor,
            action=ACCOUNT_VIEWED,
            subject=account.user,
            object_type="credit_account",
            object_id=account.pk,
            reason=reason,
            client_address=client_address,
        )
    return account


def credit_account_locate_for_staff(*, actor: Any, account_no: str, reason: str) -> tuple[int, str]:
    """(the id of the credit account of the learner with ``account_no``, the cleaned ``reason``)
    for bank staff holding ``Role.LEDGER_AUDITOR`` who say why they look (``reason_required``;
    ``too_long`` over 500 characters). Nothing of the account is read, so nothing is recorded:
    the read is :func:`credit_account_get_for_actor`'s, with the reason. Anyone else, an unknown
    account number and a learner without a credit account yet get the same NotFound."""
    if not has_role(actor, Role.LEDGER_AUDITOR):
        if getattr(actor, "is_authenticated", False):
            log.warning("credit account look-up refused: account %s is no ledger auditor", actor.pk)
        raise NotFound(NO_ACCOUNT_NO)
    why = clean_text(reason, field="reason", max_length=REASON_MAX)
    if not why:
        raise DomainError(
            IdentityCode.REASON_REQUIRED, _("Say why you need to see this credit account."), field="reason"
        )
    number = (account_no or "").strip()
    found = (
        CreditAccount.objects.filter(user__account_no=number).values_list("pk", flat=True).first() if number else None
    )
    if found is None:
        raise NotFound(NO_ACCOUNT_NO)
    return found, why


def credit_account_of(user: Any) -> CreditAccount | None:
    """The user's own credit account, or None before anything was posted to it."""
    return CreditAccount.objects.filter(user_id=getattr(user, "pk", None) or 0).first()


@dataclass(frozen=True)
class CreditBalances:
    """The bank credits (``total`` = available + frozen, by outcome type) and, apart from them,
    the credits held in each programme by conversion (programme key → credits, by key)."""

    total: Decimal
    available: Decimal
    frozen: Decimal
    by_type: dict[str, Decimal]
    programmes: dict[str, Decimal] = field(default_factory=dict)


def credit_balances(account: CreditAccount | None) -> CreditBalances:
    if account is None:
        return CreditBalances(ZERO, ZERO, ZERO, {}, {})
    by_type = {key: Decimal(value) for key, value in sorted((account.by_type or {}).items())}
    programmes = {key: Decimal(value) for key, value in sorted((account.programmes or {}).items())}
    return CreditBalances(account.available + account.frozen, account.available, account.frozen, by_type, programmes)


@dataclass(frozen=True)
class EntryFilter:
    """Which of an account's entries a list or a statement shows: of one kind, of one outcome
    type (``unspecified``: posted without one), made from one day to another (both included,
    Beijing time). Made valid by :func:`entry_filter`."""

    kind: str = ""
    outcome_type: str = ""
    day_from: date | None = None
    day_to: date | None = None

    def query(self) -> dict[str, str]:
        """The filter as the query parameters of the page and the API (``kind, type, from, to``)."""
        pairs = {
            "kind": self.kind,
            "type": self.outcome_type,
            "from": self.day_from.isoformat() if self.day_from else "",
            "to": self.day_to.isoformat() if self.day_to else "",
        }
        return {key: value for key, value in pairs.items() if value}


def entry_filter(
    *,
    kind: str | None = None,
    outcome_type: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
) -> EntryFilter:
    """A valid filter, or a DomainError naming every field that is not: ``kind_invalid``
    (``kind``: not a kind of entry), ``choice_invalid`` (``type``: not an outcome type of
    the contract, nor ``unspecified``), ``date_range_invalid`` (``to``: before ``from``)."""
    errors = []
    if kind and kind not in set(Kind):
        errors.append(
            DomainError(
                ErrorCode.KIND_INVALID,
                _("Choose one of the kinds of entry."),
                field="kind",
                extra={"allowed": [k.value for k in Kind]},
            )
        )
    if outcome_type and outcome_type not in ENTRY_TYPES:
        errors.append(
            DomainError(
                KernelCode.CHOICE_INVALID,
                _("Choose one of the outcome types."),
                field="type",
                extra={"allowed": list(ENTRY_TYPES)},
            )
        )
    if day_from and day_to and day_from > day_to:
        errors.append(
            DomainError(ErrorCode.DATE_RANGE_INVALID, _("The end date must not be before the start date."), field="to")
        )
    if errors:
        raise DomainError.combine(errors)
    return EntryFilter(kind or "", outcome_type or "", day_from, day_to)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def entries_of(account: CreditAccount | None, filters: EntryFilter = EntryFilter()) -> QuerySet[LedgerEntry]:
    """An account's entries as ``filters`` narrow them, newest first."""
    if account is None:
        return LedgerEntry.objects.none()
    qs = LedgerEntry.objects.filter(account=account)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.outcome_type:
        qs = qs.filter(outcome_type="" if filters.outcome_type == UNSPECIFIED else filters.outcome_type)
    if filters.day_from is not None:
        qs = qs.filter(created_at__gte=_day_start(filters.day_from))
    if filters.day_to is not None:
        qs = qs.filter(created_at__lt=_day_start(filters.day_to + timedelta(days=1)))
    return qs.order_by("-seq")


#: The columns of an entry the API answers with (``entry_rows``).
ENTRY_COLUMNS = (
    "seq",
    "kind",
    "amount",
    "outcome_type",
    "outcome_id",
    "application_id",
    "created_at",
    "log_index",
    "hash",
    "programme",
)


def entry_rows(account: CreditAccount | None, filters: EntryFilter = EntryFilter()) -> QuerySet[Any, dict[str, Any]]:
    """The entries of :func:`entries_of` as dicts of ``ENTRY_COLUMNS`` and ``reverses_seq`` (the
    reversed entry's seq, or None): one query, no model instances (the API's list)."""
    return entries_of(account, filters).values(*ENTRY_COLUMNS, reverses_seq=F("reverses__seq"))


def entries_count(account: CreditAccount | None, filters: EntryFilter = EntryFilter()) -> int | None:
    """How many entries ``filters`` select, where it is known without counting: all of an
    account's entries are its last seq (seqs run 1, 2, 3 … without gaps; ``verify_ledger`` checks
    it). None: count them."""
    if account is None:
        return 0
    return account.last_seq if not filters.query() else None


@dataclass(frozen=True)
class YearCredits:
    """The change of the credits held in one year (Beijing time), by outcome type: credits that
    entered the account less those that left it (expired, converted, reversed). Summed over the
    years, each type's figure is the type's holding in ``by_type``."""

    year: int
    by_type: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_type.values(), ZERO)


def credits_by_year(account: CreditAccount | None) -> list[YearCredits]:
    """The change of the credits held, by year and outcome type, oldest year first (one query;
    moves between the learner's own sub-accounts change nothing and are left out; a year whose
    changes cancel out shows zero)."""
    if account is None:
        return []
    own = [SubAccount.AVAILABLE.value, SubAccount.FROZEN.value]
    entering = Q(credit__in=own) & ~Q(debit__in=own)
    leaving = Q(debit__in=own) & ~Q(credit__in=own)
    rows = (
        LedgerEntry.objects.filter(account=account)
        .filter(entering | leaving)
        .annotate(year=ExtractYear("created_at", tzinfo=timezone.get_default_timezone()))
        .values("year", "outcome_type")
        .annotate(entered=Sum("amount", filter=entering), left=Sum("amount", filter=leaving))
        .order_by("year", "outcome_type")
    )
    years: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        change = credits(row["entered"] or ZERO) - credits(row["left"] or ZERO)
        held = years.setdefault(row["year"], {})
        key = type_key(row["outcome_type"])
        held[key] = held.get(key, ZERO) + change
    return [YearCredits(year, dict(sorted(by_type.items()))) for year, by_type in sorted(years.items())]


@dataclass(frozen=True)
class AccountCheck:
    account_id: int
    entries: int
    problems: list[str]


def ledger_check_accounts() -> Iterator[AccountCheck]:
    """Every credit account checked against its entries (``domain.verify``), by account id."""
    for account in CreditAccount.objects.order_by("pk").iterator(chunk_size=200):
        rows = list(LedgerEntry.objects.filter(account=account).order_by("seq"))
        seqs = {row.pk: row.seq for row in rows}
        stored = [
            StoredEntry(
                entry_record(row, reverses_seq=seqs.get(row.reverses_id) if row.reverses_id else None), row.hash
            )
            for row in rows
        ]
        projection = Projection(
            available=account.available,
            frozen=account.frozen,
            by_type={key: Decimal(value) for key, value in (account.by_type or {}).items()},
            last_seq=account.last_seq,
            last_hash=account.last_hash,
            programmes={key: Decimal(value) for key, value in (account.programmes or {}).items()},
        )
        yield AccountCheck(account.pk, len(rows), account_problems(stored, projection))


def conversion_claims_of(user: Any) -> list[dict[str, Any]]:
    """The user's active conversion claims (outcomes held by a pending or approved conversion
    application), by programme and outcome: ``{"programme", "outcome_id", "application_id"}``."""
    rows = (
        ConversionClaim.objects.filter(user_id=getattr(user, "pk", None) or 0, active=True)
        .order_by("programme", "outcome_id")
        .values_list("programme", "outcome_id", "application_id")
    )
    return [
        {"programme": programme, "outcome_id": outcome_id, "application_id": application_id}
        for programme, outcome_id, application_id in rows
    ]


def outcome_ids_converted(user: Any) -> frozenset[int]:
    """The outcomes whose credits a conversion took from the user's bank credits and that no
    reversal gave back (a ``conversion_debit`` not reversed): their credits cannot be frozen,
    converted, expired or taken back again."""
    debited = LedgerEntry.objects.filter(
        account__user_id=getattr(user, "pk", None) or 0,
        kind=Kind.CONVERSION_DEBIT,
        outcome_id__isnull=False,
        reversed_by__isnull=True,
    ).values_list("outcome_id", flat=True)
    return frozenset(outcome_id for outcome_id in debited if outcome_id is not None)
