"""Checking an account's entries against themselves and against its projection.

``account_problems`` replays an account's entries in seq order: the seqs run 1, 2, 3 … without a
gap, each entry's ``prev`` is the previous entry's hash, each stored hash is the SHA-256 of the
entry's canonical form, each transfer follows the posting rules, and the balances it leads to
(never negative on the way) equal the stored projection. It answers the problems found, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from creditbank.ledger.domain.canonical import GENESIS, EntryRecord
from creditbank.ledger.domain.credits import CreditsError
from creditbank.ledger.domain.postings import LEGS, Balances, Kind, SubAccount, Transfer


@dataclass(frozen=True)
class StoredEntry:
    record: EntryRecord
    hash: str


@dataclass(frozen=True)
class Projection:
    available: Decimal
    frozen: Decimal
    by_type: Mapping[str, Decimal]
    last_seq: int
    last_hash: str


def account_problems(entries: Iterable[StoredEntry], projection: Projection) -> list[str]:
    problems: list[str] = []
    balances = Balances()
    prev = GENESIS
    expected_seq = 1
    moves: dict[int, Transfer] = {}
    for stored in entries:
        rec = stored.record
        if rec.seq != expected_seq:
            problems.append(f"seq {rec.seq} where {expected_seq} was expected (a gap or a duplicate)")
            expected_seq = rec.seq
        if rec.prev != prev:
            problems.append(f"seq {rec.seq}: previous hash {rec.prev[:12]}… is not the previous entry's {prev[:12]}…")
        computed = rec.sha256()
        if computed != stored.hash:
            problems.append(
                f"seq {rec.seq}: stored hash {stored.hash[:12]}… is not its canonical form's {computed[:12]}…"
            )
        try:
            move = Transfer(Kind(rec.kind), SubAccount(rec.debit), SubAccount(rec.credit), rec.amount)
        except ValueError:
            problems.append(f"seq {rec.seq}: unknown kind or sub-account")
            move = None
        if move is not None:
            if move.kind == Kind.REVERSAL:
                original = moves.get(rec.reverses_seq or 0)
                if original is None or (original.credit, original.debit, original.amount) != (
                    move.debit,
                    move.credit,
                    move.amount,
                ):
                    problems.append(f"seq {rec.seq}: a reversal that does not mirror entry {rec.reverses_seq}")
            elif LEGS.get(move.kind) != (move.debit, move.credit):
                problems.append(f"seq {rec.seq}: {move.kind} does not move {move.debit} → {move.credit}")
            try:
                balances = balances.apply(move, outcome_type=rec.outcome_type)
            except CreditsError as refused:
                problems.append(f"seq {rec.seq}: {refused.detail}")
            moves[rec.seq] = move
        prev = stored.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if (projection.last_seq, projection.last_hash) != (last_seq, prev):
        problems.append(
            f"projection: last seq/hash {projection.last_seq}/{projection.last_hash[:12]}… differ from the entries' {last_seq}/{prev[:12]}…"
        )
    if (projection.available, projection.frozen) != (balances.available, balances.frozen):
        problems.append(
            f"projection: available/frozen {projection.available}/{projection.frozen} differ from the entries' "
            f"{balances.available}/{balances.frozen}"
        )
    stored_types = {k: v for k, v in projection.by_type.items() if v}
    if stored_types != dict(balances.by_type):
        shown = {k: f"{v:.2f}" for k, v in sorted(stored_types.items())}
        replayed = {k: f"{v:.2f}" for k, v in sorted(balances.by_type.items())}
        problems.append(f"projection: credits by type {shown} differ from the entries' {replayed}")
    return problems
