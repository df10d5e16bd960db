"""Who holds an outcome's credits beyond the outcomes context: conversions (the rules context,
which sits above and registers its answer at app ready, as describers are registered with the
ledger). When an institution revokes an outcome that a conversion holds, the holder flags the
conversion for the target institution's review instead of the credits being taken back here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: ``(learner, outcome id, reason) -> bool``: whether a conversion holds the outcome (pending or
#: approved); it flags every such conversion for review in the caller's transaction.
RevocationHold = Callable[[Any, int, str], bool]
_holds: list[RevocationHold] = []


def register_revocation_hold(hold: RevocationHold) -> None:
    if hold not in _holds:
        _holds.append(hold)


def held_on_revocation(learner: Any, outcome_id: int, reason: str) -> bool:
    """Ask every registered holder; True when any holds the outcome (and flagged it)."""
    held = False
    for hold in _holds:
        held = hold(learner, outcome_id, reason) or held
    return held
