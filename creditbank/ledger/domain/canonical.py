"""The canonical form of a ledger entry and the hash chain of an account's entries.

The canonical bytes are UTF-8 JSON with sorted keys and no insignificant white space; amounts
are decimal strings with two places, the time is UTC with microseconds and a ``Z``, the account
is pseudonymous (``account:<id>``, no personal data), and ``prev`` is the SHA-256 (hex) of the
account's previous entry (64 zeros for its first), so an account's entries form a hash chain: a
changed, removed or inserted entry breaks every hash after it. docs/adr/0021 fixes the form;
``v`` changes if it ever must. An entry of a programme sub-account (a conversion_credit and its
reversal) also has the key ``programme``; every other entry's object has no such key, so the bytes
of entries without a programme are exactly version 1's as first written (docs/adr/0027).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from creditbank.ledger.domain.credits import credits_str

CANONICAL_VERSION = 1
GENESIS = "0" * 64


def account_pseudonym(account_id: int) -> str:
    return f"account:{account_id}"


@dataclass(frozen=True)
class EntryRecord:
    """What an entry's hash covers (``log_index``, filled later by the transparency log, is not
    part of it)."""

    account: str
    seq: int
    kind: str
    debit: str
    credit: str
    amount: Decimal
    outcome_type: str
    outcome_id: int | None
    application_id: int | None
    reverses_seq: int | None
    created_at: datetime
    prev: str
    #: the programme of a programme sub-account's entry; ``""`` (no key in the form) otherwise
    programme: str = ""

    def as_dict(self) -> dict[str, object]:
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        form: dict[str, object] = {
            "v": CANONICAL_VERSION,
            "account": self.account,
            "seq": self.seq,
            "kind": self.kind,
            "debit": self.debit,
            "credit": self.credit,
            "amount": credits_str(self.amount),
            "outcome_type": self.outcome_type,
            "outcome_id": self.outcome_id,
            "application_id": self.application_id,
            "reverses_seq": self.reverses_seq,
            "created_at": self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "prev": self.prev,
        }
        if self.programme:
            form["programme"] = self.programme
        return form

    def canonical_bytes(self) -> bytes:
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()
