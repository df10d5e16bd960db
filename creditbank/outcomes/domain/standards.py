"""Certification standards (学习成果认证标准): the canonical form of a version and which version
is in force on a day.

A standard is a series of versions. A published version never changes: an edit is a new
version that supersedes the previous one from its ``valid_from``. The canonical bytes are UTF-8
JSON with sorted keys and no insignificant white space (RFC 8785 for these values: strings,
integers and null only; amounts as decimal strings with two places, dates as ``YYYY-MM-DD``);
``hash`` is their SHA-256 in hexadecimal. docs/adr/0023 fixes the form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

CANONICAL_VERSION = 1


@dataclass(frozen=True)
class StandardRecord:
    owner: str  # an institution's code, or "bank"
    outcome_type: str
    code: str
    version: int
    title_zh: str
    title_en: str
    credits: Decimal
    level: int | None
    evidence_zh: str
    evidence_en: str
    validity_months: int | None
    valid_from: date

    def as_dict(self) -> dict[str, object]:
        return {
            "v": CANONICAL_VERSION,
            "kind": "certification_standard",
            "owner": self.owner,
            "outcome_type": self.outcome_type,
            "code": self.code,
            "version": self.version,
            "title": {"en": self.title_en, "zh": self.title_zh},
            "credits": f"{self.credits.quantize(Decimal('0.01'))}",
            "level": self.level,
            "evidence": {"en": self.evidence_en, "zh": self.evidence_zh},
            "validity_months": self.validity_months,
            "valid_from": self.valid_from.isoformat(),
        }

    def canonical(self) -> bytes:
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class Dated(Protocol):
    @property
    def version(self) -> int: ...
    @property
    def valid_from(self) -> date: ...


T = TypeVar("T", bound=Dated)


def in_force(versions: Iterable[T], on: date) -> T | None:
    """The published version in force ``on`` a day: the latest that started on or before it."""
    started = [v for v in versions if v.valid_from <= on]
    return max(started, key=lambda v: (v.valid_from, v.version), default=None)
