"""The learner's credits (学分账户): balances and ledger entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import P, QueryEx, Router, Schema

from creditbank.accounts.actor import actor
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.ledger import selectors
from creditbank.ledger.domain.credits import CreditsError
from creditbank.ledger.domain.postings import Kind
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import LedgerEntry
from creditbank.ledger.services.posting import ledger_error

router = Router(tags=["credits"])

KindFilter = QueryEx[str | None, P(description="Only entries of this kind: " + ", ".join(k.value for k in Kind) + ".")]
FromFilter = QueryEx[
    date | None, P(alias="from", description="Only entries made on or after this day (YYYY-MM-DD, Beijing time).")
]
ToFilter = QueryEx[
    date | None, P(alias="to", description="Only entries made on or before this day (YYYY-MM-DD, Beijing time).")
]


class BalanceOut(Schema):
    total: str
    available: str
    frozen: str


EntryKind = Literal["deposit", "freeze", "unfreeze", "conversion_debit", "conversion_credit", "reversal", "expiry"]


class EntryOut(Schema):
    seq: int
    kind: EntryKind
    amount: str
    outcome_id: int | None
    application_id: int | None
    created_at: datetime
    log_index: int | None
    reverses_seq: int | None
    hash: str


class CreditsOut(Schema):
    balance: BalanceOut
    by_type: dict[str, str]
    entries: list[EntryOut]
    count: int


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def entry_out(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "amount": f"{entry.amount:.2f}",
        "outcome_id": entry.outcome_id,
        "application_id": entry.application_id,
        "created_at": entry.created_at,
        "log_index": entry.log_index,
        "reverses_seq": entry.reverses.seq if entry.reverses_id and entry.reverses else None,
        "hash": entry.hash,
    }


@router.get("/me/credits", response={200: CreditsOut, **problems(400, 401, 403)})
def my_credits(
    request: HttpRequest,
    kind: KindFilter = None,
    from_: FromFilter = None,
    to: ToFilter = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Any:
    """Balances (total = available + frozen), credits by outcome type, and the ledger entries,
    newest first, paged and filtered by kind and day."""
    user = actor(request)
    user_require_verified(user)
    if kind and kind not in set(Kind):
        error = ledger_error(CreditsError(ErrorCode.KIND_INVALID))
        error.extra["allowed"] = [k.value for k in Kind]
        raise error
    account = selectors.credit_account_of(user)
    balances = selectors.credit_balances(account)
    entries = selectors.entries_of(
        account,
        kind=kind or None,
        created_from=_day_start(from_) if from_ else None,
        created_to=_day_start(to + timedelta(days=1)) if to else None,
    ).select_related("reverses")
    rows, count = page(entries, limit=limit, offset=offset)
    return {
        "balance": {
            "total": f"{balances.total:.2f}",
            "available": f"{balances.available:.2f}",
            "frozen": f"{balances.frozen:.2f}",
        },
        "by_type": {key: f"{value:.2f}" for key, value in balances.by_type.items()},
        "entries": [entry_out(e) for e in rows],
        "count": count,
    }
