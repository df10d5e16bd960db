"""Initial passwords of accounts an institution opens (pure; no Django).

Twelve characters drawn with ``secrets`` from 56 that cannot be taken for one another when read
off a printed sheet or a screen (no ``0 O o``, ``1 l I``): log2(56^12) ≈ 69.7 bits, far beyond
any guessing even against a fast hash. Each has an upper-case letter, a lower-case letter and a
digit, so that no password rule of a system it is pasted into refuses it.
"""

from __future__ import annotations

import secrets

UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
LOWER = "abcdefghijkmnpqrstuvwxyz"
DIGITS = "23456789"
ALPHABET = UPPER + LOWER + DIGITS
LENGTH = 12


def initial_password() -> str:
    """A fresh random initial password."""
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if all(any(ch in group for ch in candidate) for group in (UPPER, LOWER, DIGITS)):
            return candidate
