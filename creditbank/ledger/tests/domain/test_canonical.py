"""The canonical entry form is deterministic and covers every field."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from creditbank.ledger.domain.canonical import GENESIS, EntryRecord

RECORD = EntryRecord(
    account="account:7",
    seq=3,
    kind="deposit",
    debit="issued",
    credit="available",
    amount=Decimal("4.50"),
    outcome_type="academic_credit",
    outcome_id=12,
    application_id=None,
    reverses_seq=None,
    created_at=datetime(2026, 12, 3, 14, 30, 0, 123456, tzinfo=UTC),
    prev=GENESIS,
)

CHANGED = {
    "account": "account:8",
    "seq": 4,
    "kind": "freeze",
    "debit": "available",
    "credit": "frozen",
    "amount": Decimal("4.51"),
    "outcome_type": "mooc",
    "outcome_id": 13,
    "application_id": 1,
    "reverses_seq": 1,
    "created_at": RECORD.created_at + timedelta(microseconds=1),
    "prev": "1" * 64,
    "programme": "demo-univ:CS",
}


def test_exact_form() -> None:
    assert RECORD.canonical_bytes() == (
        b'{"account":"account:7","amount":"4.50","application_id":null,"created_at":"2026-12-03T14:30:00.123456Z",'
        b'"credit":"available","debit":"issued","kind":"deposit","outcome_id":12,"outcome_type":"academic_credit",'
        b'"prev":"' + GENESIS.encode() + b'","reverses_seq":null,"seq":3,"v":1}'
    )
    assert len(RECORD.sha256()) == 64


def test_an_entry_without_a_programme_has_no_programme_key() -> None:
    """The key is absent, not empty or null: the bytes (and hash) of every entry without a
    programme are version 1's as first written, before programmes existed."""
    assert "programme" not in RECORD.as_dict()
    assert (
        RECORD.sha256()
        == hashlib.sha256(
            b'{"account":"account:7","amount":"4.50","application_id":null,"created_at":"2026-12-03T14:30:00.123456Z",'
            b'"credit":"available","debit":"issued","kind":"deposit","outcome_id":12,"outcome_type":"academic_credit",'
            b'"prev":"' + GENESIS.encode() + b'","reverses_seq":null,"seq":3,"v":1}'
        ).hexdigest()
    )
    # the hash of this record as the ledger computed it before programmes existed
    assert RECORD.sha256() == "fc67913081849e986a37f7c83b5335919ab23ef8fc02572b053dc20ee2d06f3e"


PROGRAMME_RECORD = EntryRecord(
    account="account:7",
    seq=9,
    kind="conversion_credit",
    debit="converted",
    credit="programme",
    amount=Decimal("3.00"),
    outcome_type="",
    outcome_id=None,
    application_id=41,
    reverses_seq=None,
    created_at=datetime(2027, 3, 1, 8, 0, 0, 5, tzinfo=UTC),
    prev="a" * 64,
    programme="demo-univ:CS",
)


def test_exact_form_of_an_entry_with_a_programme() -> None:
    assert PROGRAMME_RECORD.canonical_bytes() == (
        b'{"account":"account:7","amount":"3.00","application_id":41,"created_at":"2027-03-01T08:00:00.000005Z",'
        b'"credit":"programme","debit":"converted","kind":"conversion_credit","outcome_id":null,"outcome_type":"",'
        b'"prev":"' + b"a" * 64 + b'","programme":"demo-univ:CS","reverses_seq":null,"seq":9,"v":1}'
    )
    assert PROGRAMME_RECORD.sha256() == hashlib.sha256(PROGRAMME_RECORD.canonical_bytes()).hexdigest()
    without = dataclasses.replace(PROGRAMME_RECORD, programme="")
    assert b'"programme":' not in without.canonical_bytes()
    assert without.sha256() != PROGRAMME_RECORD.sha256()


def test_a_programme_is_kept_as_written() -> None:
    """Non-ASCII would be UTF-8 (ensure_ascii=False); keys are ASCII, case counts."""
    lower = dataclasses.replace(PROGRAMME_RECORD, programme="demo-univ:cs")
    assert lower.sha256() != PROGRAMME_RECORD.sha256()
    assert json.loads(lower.canonical_bytes())["programme"] == "demo-univ:cs"


def test_every_field_counts() -> None:
    assert set(CHANGED) == {f.name for f in dataclasses.fields(EntryRecord)}
    for name, value in CHANGED.items():
        assert dataclasses.replace(RECORD, **{name: value}).sha256() != RECORD.sha256(), name


def test_the_same_instant_in_another_zone_gives_the_same_bytes() -> None:
    shanghai = RECORD.created_at.astimezone(timezone(timedelta(hours=8)))
    assert dataclasses.replace(RECORD, created_at=shanghai).canonical_bytes() == RECORD.canonical_bytes()


@given(
    seq=st.integers(min_value=1, max_value=10**9),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2),
    outcome_id=st.none() | st.integers(min_value=1, max_value=2**62),
    moment=st.datetimes(timezones=st.just(UTC)),
    outcome_type=st.text(max_size=20),
)
def test_deterministic(seq: int, amount: Decimal, outcome_id: int | None, moment: datetime, outcome_type: str) -> None:
    one = dataclasses.replace(
        RECORD, seq=seq, amount=amount, outcome_id=outcome_id, created_at=moment, outcome_type=outcome_type
    )
    two = dataclasses.replace(one)
    assert one.canonical_bytes() == two.canonical_bytes()
    assert json.loads(one.canonical_bytes())["amount"] == f"{amount:.2f}"
    changed = dataclasses.replace(one, seq=seq + 1)
    assert changed.sha256() != one.sha256()
