"""A certification standard's canonical form (exact bytes and hash) and the version in force."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditbank.outcomes.domain.standards import StandardRecord, in_force

RECORD = StandardRecord(
    owner="bank", outcome_type="vocational_certificate", code="1X-WEB-2", version=2, title_zh="Web 前端开发（中级）",
    title_en="Web front-end development (intermediate)", credits=Decimal("6"), level=4, evidence_zh="证书",
    evidence_en="The certificate", validity_months=None, valid_from=date(2026, 1, 1),
)  # fmt: skip


def test_canonical_bytes_are_sorted_compact_utf8() -> None:
    expected = (
        '{"code":"1X-WEB-2","credits":"6.00","evidence":{"en":"The certificate","zh":"证书"},'
        '"kind":"certification_standard","level":4,"outcome_type":"vocational_certificate","owner":"bank",'
        '"title":{"en":"Web front-end development (intermediate)","zh":"Web 前端开发（中级）"},"v":1,'
        '"valid_from":"2026-01-01","validity_months":null,"version":2}'
    ).encode()
    assert RECORD.canonical() == expected
    assert RECORD.sha256() == hashlib.sha256(expected).hexdigest()


def test_any_change_changes_the_hash() -> None:
    from dataclasses import replace

    assert replace(RECORD, credits=Decimal("6.01")).sha256() != RECORD.sha256()
    assert replace(RECORD, version=3).sha256() != RECORD.sha256()


@dataclass(frozen=True)
class V:
    version: int
    valid_from: date


def test_the_version_in_force_is_the_latest_started() -> None:
    versions = [V(1, date(2020, 1, 1)), V(2, date(2026, 1, 1)), V(3, date(2027, 1, 1))]
    assert in_force(versions, date(2019, 12, 31)) is None
    assert in_force(versions, date(2025, 12, 31)) == versions[0]
    assert in_force(versions, date(2026, 1, 1)) == versions[1]
    assert in_force(versions, date(2030, 1, 1)) == versions[2]
