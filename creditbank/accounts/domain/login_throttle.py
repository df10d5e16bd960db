"""How long an address that has failed must wait before its next login attempt (pure).

Failed logins on one account, from all addresses, raise a delay between attempts rather than
locking the account: nobody can lock the owner out by typing wrong passwords with the owner's
public identifier (ADR 0011).
"""

from __future__ import annotations

#: Doubling stops here; the cap takes over long before.
_MAX_DOUBLINGS = 30


def required_delay(failures: int, *, free: int, base: int, cap: int) -> int:
    """Seconds between attempts once an account has ``failures`` failed logins in the window.

    Nothing while ``failures < free``; then ``base`` seconds, doubling with each further failure,
    never more than ``cap``: with free=5, base=2, cap=300 the delays are 2, 4, 8, … 256, 300, 300 …
    """
    if failures < free:
        return 0
    return int(min(cap, base * 2 ** min(failures - free, _MAX_DOUBLINGS)))
