"""Checking an account's entries against themselves and against its projection.

``account_problems`` replays an account's entries in seq order: the seqs run 1, 2, 3 … without a
gap, each entry's ``prev`` is the previous entry's hash, each stored hash is the SHA-256 of the
entry's canonical form, each transfer follows the posting rules (an entry names a programme
exactly when it touches a programme sub-account; an entry naming an outcome never takes more than
that outcome's entries put in the available or frozen credits), and the balances it leads to
(never negative on the way), the credits by outcome type and by programme included, equal the
stored projection. It answers the problems found, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from creditbank.ledger.domain.canonical import GENESIS, EntryRecord
from creditbank.ledger.domain.credits import ZERO, CreditsError
from creditbank.ledger.domain.postings import LEGS, Balances, Kind, SubAccount, Transfer, outcome_check, own_changes


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
    programmes: Mapping[str, Decimal] = field(default_factory=dict)


def _shown(amounts: Mapping[str, Decimal]) -> dict[str, str]:
    return {k: f"{v:.2f}" for k, v in sorted(amounts.items())}


def account_problems(entries: Iterable[StoredEntry], projection: Projection) -> list[str]:
    problems: list[str] = []
    balances = Balances()
    prev = GENESIS
    expected_seq = 1
    moves: dict[int, Transfer] = {}
    outcomes: dict[int, tuple[Decimal, Decimal]] = {}  # outcome id → (available, frozen) its entries put there
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
            move = Transfer(Kind(rec.kind), SubAccount(rec.debit), SubAccount(rec.credit), rec.amount, rec.programme)
        except ValueError:
            problems.append(f"seq {rec.seq}: unknown kind or sub-account")
            move = None
        if move is not None:
            if move.kind == Kind.REVERSAL:
                original = moves.get(rec.reverses_seq or 0)
                if original is None or (original.credit, original.debit, original.amount, original.programme) != (
                    move.debit,
                    move.credit,
                    move.amount,
                    move.programme,
                ):
                    problems.append(f"seq {rec.seq}: a reversal that does not mirror entry {rec.reverses_seq}")
            elif LEGS.get(move.kind) != (move.debit, move.credit):
                problems.append(f"seq {rec.seq}: {move.kind} does not move {move.debit} → {move.credit}")
            try:
                balances = balances.apply(move, outcome_type=rec.outcome_type)
            except CreditsError as refused:
                problems.append(f"seq {rec.seq}: {refused.detail}")
            if rec.outcome_id is not None:
                available, frozen = outcomes.get(rec.outcome_id, (ZERO, ZERO))
                try:
                    outcome_check(move, outcome_id=rec.outcome_id, available=available, frozen=frozen)
                except CreditsError as refused:
                    problems.append(f"seq {rec.seq}: takes more than {refused.detail}")
                change_available, change_frozen = own_changes(move.debit, move.credit, move.amount)
                outcomes[rec.outcome_id] = (available + change_available, frozen + change_frozen)
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
    stored_programmes = {k: v for k, v in projection.programmes.items() if v}
    if stored_programmes != dict(balances.programmes):
        problems.append(
            f"projection: credits by programme {_shown(stored_programmes)} differ from the entries' "
            f"{_shown(balances.programmes)}"
        )
    return problems
