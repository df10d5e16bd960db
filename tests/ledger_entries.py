"""Ledger entries at chosen moments, and the small ledger several credit tests start from.

``ledger_post`` stamps an entry with the time it is posted; tests of filters by day and of the
credits by year need entries at known moments (either side of midnight and of a new year in
Beijing time), so :func:`post_at` posts through the real service with its clock set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from creditbank.ledger.models import LedgerEntry
from creditbank.ledger.services import ledger_post
from creditbank.ledger.services import posting as posting_module

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(text: str) -> datetime:
    """``"2026-01-01 00:10"`` as an aware datetime, Beijing time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)


@contextmanager
def ledger_clock(when: datetime) -> Iterator[None]:
    with mock.patch.object(posting_module, "timezone", SimpleNamespace(now=lambda: when)):
        yield


def post_at(when: str, **posting: Any) -> LedgerEntry:
    """``ledger_post(**posting)`` as if posted at ``when`` (Beijing time, ``YYYY-MM-DD HH:MM``)."""
    with ledger_clock(beijing(when)):
        return ledger_post(**posting)


def small_ledger(user: Any) -> list[LedgerEntry]:
    """Six entries over three years (Beijing time):

    1. 2025-12-31 23:30 deposit 3.00 academic_credit, outcome 11
    2. 2026-01-01 00:10 deposit 2.00 mooc, outcome 12 (2025-12-31 16:10 UTC: the year is Beijing's)
    3. 2026-03-05 10:00 freeze 1.00 for application 5 (no outcome type)
    4. 2026-06-01 09:00 deposit 1.50 without an outcome type
    5. 2027-02-01 08:00 reversal of 2 (mooc 2.00, outcome 12)
    6. 2027-02-02 08:00 expiry 0.50 academic_credit, outcome 11

    Balances after them: available 3.00, frozen 1.00, total 4.00; by type academic_credit 2.50,
    unspecified 1.50 (mooc back to zero)."""
    first = post_at(
        "2025-12-31 23:30", user=user, kind="deposit", amount="3", outcome_id=11, outcome_type="academic_credit"
    )
    second = post_at("2026-01-01 00:10", user=user, kind="deposit", amount="2", outcome_id=12, outcome_type="mooc")
    third = post_at("2026-03-05 10:00", user=user, kind="freeze", amount="1", application_id=5)
    fourth = post_at("2026-06-01 09:00", user=user, kind="deposit", amount="1.50")
    fifth = post_at("2027-02-01 08:00", user=user, kind="reversal", amount=None, reverses=second)
    sixth = post_at(
        "2027-02-02 08:00", user=user, kind="expiry", amount="0.50", outcome_id=11, outcome_type="academic_credit"
    )
    return [first, second, third, fourth, fifth, sixth]


def small_conversion(user: Any) -> list[LedgerEntry]:
    """:func:`small_ledger`, then on 2027-03-01 09:00 (Beijing time) application 7 converts
    outcome 11's 2.50 academic credits into 2.00 credits of programme ``demo-univ:CS``:

    7. freeze 2.50 academic_credit, outcome 11, application 7
    8. conversion_debit 2.50 academic_credit, outcome 11, application 7
    9. conversion_credit 2.00 into demo-univ:CS, application 7

    Balances after them: available 0.50, frozen 1.00, total 1.50; by type unspecified 1.50;
    programmes demo-univ:CS 2.00."""
    from creditbank.ledger.services import conversion_claims_take, ledger_post_conversion

    entries = small_ledger(user)
    conversion_claims_take(user=user, application_id=7, programme="demo-univ:CS", outcome_ids=[11], exclusive=True)
    with ledger_clock(beijing("2027-03-01 09:00")):
        entries += ledger_post_conversion(
            user=user, application_id=7, programme="demo-univ:CS", consumed=[(11, "academic_credit", "2.50")],
            granted="2.00", frozen=False,
        )  # fmt: skip
    return entries
