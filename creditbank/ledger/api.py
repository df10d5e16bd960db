"""The learner's credits (学分账户): balances and ledger entries, their CSV statement; bank
staff's audited view of any learner's account."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import P, QueryEx, Router, Schema

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.kernel.ratelimit import client_address
from creditbank.ledger import selectors
from creditbank.ledger.domain.postings import Kind
from creditbank.ledger.models import CreditAccount
from creditbank.ledger.selectors import ENTRY_TYPES, EntryFilter
from creditbank.ledger.statements import statement_filename, statement_response

router = Router(tags=["credits"])

KindFilter = QueryEx[str | None, P(description="Only entries of this kind: " + ", ".join(k.value for k in Kind) + ".")]
TypeFilter = QueryEx[
    str | None,
    P(
        alias="type",
        description="Only entries of this outcome type: "
        + ", ".join(ENTRY_TYPES)
        + " (`unspecified`: entries without an outcome type).",
    ),
]
FromFilter = QueryEx[
    date | None, P(alias="from", description="Only entries made on or after this day (YYYY-MM-DD, Beijing time).")
]
ToFilter = QueryEx[
    date | None,
    P(alias="to", description="Only entries made on or before this day (YYYY-MM-DD, Beijing time; not before `from`)."),
]
ReasonParam = QueryEx[
    str | None, P(description="Why you need to see this account (required; recorded in the audit log with the view).")
]
CSV_RESPONSE = {
    "200": {
        "description": "The entries as CSV (UTF-8 with a byte order mark, CRLF rows; the headers in the "
        "request's language; text cells that a spreadsheet would read as a formula start with `'`).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


class BalanceOut(Schema):
    total: str
    available: str
    frozen: str


EntryKind = Literal["deposit", "freeze", "unfreeze", "conversion_debit", "conversion_credit", "reversal", "expiry"]


class ProgrammeCreditsOut(Schema):
    programme: str
    credits: str


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
    outcome_type: str | None
    programme: str | None


class CreditsOut(Schema):
    balance: BalanceOut
    by_type: dict[str, str]
    programmes: list[ProgrammeCreditsOut]
    entries: list[EntryOut]
    count: int


class StaffCreditsOut(CreditsOut):
    account_no: str
    name: str


def entry_out(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry of ``selectors.entry_rows`` as the API answers it."""
    return {
        "seq": entry["seq"],
        "kind": entry["kind"],
        "amount": f"{entry['amount']:.2f}",
        "outcome_id": entry["outcome_id"],
        "application_id": entry["application_id"],
        "created_at": entry["created_at"],
        "log_index": entry["log_index"],
        "reverses_seq": entry["reverses_seq"],
        "hash": entry["hash"],
        "outcome_type": entry["outcome_type"] or None,
        "programme": entry["programme"] or None,
    }


def _filters(kind: str | None, outcome_type: str | None, day_from: date | None, day_to: date | None) -> EntryFilter:
    return selectors.entry_filter(kind=kind, outcome_type=outcome_type, day_from=day_from, day_to=day_to)


def credits_out(account: CreditAccount | None, filters: EntryFilter, *, limit: int, offset: int) -> dict[str, Any]:
    balances = selectors.credit_balances(account)
    rows, count = page(
        selectors.entry_rows(account, filters),
        limit=limit,
        offset=offset,
        count=selectors.entries_count(account, filters),
    )
    return {
        "balance": {
            "total": f"{balances.total:.2f}",
            "available": f"{balances.available:.2f}",
            "frozen": f"{balances.frozen:.2f}",
        },
        "by_type": {key: f"{value:.2f}" for key, value in balances.by_type.items()},
        "programmes": [{"programme": key, "credits": f"{value:.2f}"} for key, value in balances.programmes.items()],
        "entries": [entry_out(e) for e in rows],
        "count": count,
    }


@router.get("/me/credits", response={200: CreditsOut, **problems(400, 401, 403)})
def my_credits(
    request: HttpRequest,
    kind: KindFilter = None,
    type_: TypeFilter = None,
    from_: FromFilter = None,
    to: ToFilter = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Any:
    """Balances (total = available + frozen), credits by outcome type, the credits held in each
    programme by conversion (`programmes`: `{programme, credits}` by programme key
    `<institution code>:<programme code>`; not part of `balance` or `by_type`, which count the
    bank credits), and the ledger entries (an entry's `programme`: the programme a
    `conversion_credit` or its reversal moves credits into or out of, else null), newest first,
    paged and filtered by kind, outcome type and day. A wrong filter answers 400 naming every
    wrong field: `kind_invalid`, `choice_invalid` (`type`; both with `allowed`),
    `date_range_invalid` (`to` before `from`), `validation_error` (not a date)."""
    user = actor(request)
    user_require_verified(user)
    filters = _filters(kind, type_, from_, to)
    return credits_out(selectors.credit_account_of(user), filters, limit=limit, offset=offset)


@router.get(
    "/me/credits/export",
    response={200: None, **problems(400, 401, 403)},
    openapi_extra={"responses": CSV_RESPONSE},
)
def my_credits_export(
    request: HttpRequest,
    kind: KindFilter = None,
    type_: TypeFilter = None,
    from_: FromFilter = None,
    to: ToFilter = None,
) -> HttpResponse | StreamingHttpResponse:
    """The entries the filters select (all of them, oldest first, not paged) as a CSV statement,
    streamed: seq, time (Beijing), kind, amount, the changes of available and frozen credits,
    outcome type, outcome (its title where known), outcome id, application, application id, the
    reversed entry's seq, the entry's SHA-256 and the programme (of a conversion's credit). The
    filters and their errors are those of `GET /me/credits`."""
    user = actor(request)
    user_require_verified(user)
    filters = _filters(kind, type_, from_, to)
    entries = selectors.entries_of(selectors.credit_account_of(user), filters)
    return statement_response(entries, filename=statement_filename(user.account_no))


@router.get("/staff/credit-accounts/{account_no}", response={200: StaffCreditsOut, **problems(400, 401, 403, 404)})
def staff_credit_account(
    request: HttpRequest,
    account_no: str,
    reason: ReasonParam = None,
    kind: KindFilter = None,
    type_: TypeFilter = None,
    from_: FromFilter = None,
    to: ToFilter = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Any:
    """A learner's credit account for bank staff holding the ledger auditor role, as
    `GET /me/credits` answers it, with the learner's account number and name. Each call is
    recorded in the audit log (`ledger.account_viewed`) with its `reason`, which is required
    (`reason_required`). Anyone else, an unknown account number and a learner without a credit
    account yet get the same 404."""
    staff = actor(request)
    found, why = selectors.credit_account_locate_for_staff(actor=staff, account_no=account_no, reason=reason or "")
    filters = _filters(kind, type_, from_, to)  # a refused filter shows nothing, so records nothing
    account = selectors.credit_account_get_for_actor(
        actor=staff, id=found, acting=Acting.STAFF, reason=why, client_address=client_address(request)
    )
    return {
        **credits_out(account, filters, limit=limit, offset=offset),
        "account_no": account.user.account_no,
        "name": account.user.name,
    }
