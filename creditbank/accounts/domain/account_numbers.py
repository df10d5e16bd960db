"""Credit bank account numbers (学分银行账号): 12 digits, the last a Luhn check digit (pure)."""

from __future__ import annotations

import secrets

LENGTH = 12


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid(number: str) -> bool:
    return (
        len(number) == LENGTH
        and number.isascii()
        and number.isdigit()
        and number[0] != "0"
        and luhn_digit(number[:-1]) == number[-1]
    )


def generate() -> str:
    """A random account number (random, so numbers reveal neither order nor count)."""
    body = str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(LENGTH - 2))
    return body + luhn_digit(body)
