"""The replay of domain.verify: programmes and outcomes' own holdings, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from creditbank.ledger.domain.canonical import GENESIS, EntryRecord
from creditbank.ledger.domain.verify import Projection, StoredEntry, account_problems

MOMENT = datetime(2027, 1, 1, tzinfo=UTC)
CS = "demo-univ:CS"


def _chain(*moves: tuple[str, str, str, str, int | None, str]) -> list[StoredEntry]:
    """(kind, debit, credit, amount, outcome id, programme) as a correctly hashed chain."""
    stored: list[StoredEntry] = []
    prev = GENESIS
    for seq, (kind, debit, credit, amount, outcome_id, programme) in enumerate(moves, start=1):
        record = EntryRecord(
            account="account:1", seq=seq, kind=kind, debit=debit, credit=credit, amount=Decimal(amount),
            outcome_type="mooc" if outcome_id else "", outcome_id=outcome_id, application_id=None,
            reverses_seq=None, created_at=MOMENT, prev=prev, programme=programme,
        )  # fmt: skip
        stored.append(StoredEntry(record, record.sha256()))
        prev = stored[-1].hash
    return stored


def _projection(entries: list[StoredEntry], **over: object) -> Projection:
    values: dict[str, object] = {
        "available": Decimal("0.00"),
        "frozen": Decimal("0.00"),
        "by_type": {},
        "last_seq": len(entries),
        "last_hash": entries[-1].hash,
        "programmes": {},
    }
    values.update(over)
    return Projection(**values)  # type: ignore[arg-type]


def test_a_conversion_replays_into_the_programme() -> None:
    entries = _chain(
        ("deposit", "issued", "available", "4.00", 1, ""),
        ("freeze", "available", "frozen", "4.00", 1, ""),
        ("conversion_debit", "frozen", "converted", "4.00", 1, ""),
        ("conversion_credit", "converted", "programme", "5.00", None, CS),
    )
    assert account_problems(entries, _projection(entries, programmes={CS: Decimal("5.00")})) == []


def test_a_programme_entry_without_its_programme_is_found() -> None:
    entries = _chain(("conversion_credit", "converted", "programme", "5.00", None, ""))
    assert account_problems(entries, _projection(entries)) == [
        "seq 1: an entry of a programme sub-account names its programme"
    ]


def test_an_entry_taking_another_outcomes_credits_is_found() -> None:
    """The account holds enough, the outcome does not: outcome 2's expiry takes outcome 1's."""
    entries = _chain(
        ("deposit", "issued", "available", "4.00", 1, ""),
        ("deposit", "issued", "available", "1.00", 2, ""),
        ("expiry", "available", "expired", "3.00", 2, ""),
    )
    problems = account_problems(
        entries, _projection(entries, available=Decimal("2.00"), by_type={"mooc": Decimal("2.00")})
    )
    assert problems == ["seq 3: takes more than outcome 2 holds 1.00 available and 0.00 frozen"]
