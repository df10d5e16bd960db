"""Initial passwords: twelve characters without look-alikes, every class present, never repeated."""

from __future__ import annotations

import math

from creditbank.institutions.domain.initial_passwords import ALPHABET, DIGITS, LENGTH, LOWER, UPPER, initial_password

LOOK_ALIKES = set("0Oo1lI")


def test_the_alphabet_has_no_look_alikes_and_enough_entropy() -> None:
    assert not LOOK_ALIKES & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 56
    assert LENGTH * math.log2(len(ALPHABET)) > 69


def test_each_password_has_every_class_and_only_the_alphabet() -> None:
    passwords = [initial_password() for _ in range(500)]
    for password in passwords:
        assert len(password) == 12
        assert set(password) <= set(ALPHABET)
        assert all(set(password) & set(group) for group in (UPPER, LOWER, DIGITS))
    assert len(set(passwords)) == 500
