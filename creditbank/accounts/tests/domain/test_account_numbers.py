from hypothesis import given
from hypothesis import strategies as st

from creditbank.accounts.domain.account_numbers import generate, is_valid, luhn_digit


def test_luhn_known_value() -> None:
    assert luhn_digit("7992739871") == "3"


def test_generated_numbers_are_valid_and_twelve_digits() -> None:
    for _ in range(200):
        number = generate()
        assert len(number) == 12
        assert number[0] != "0"
        assert is_valid(number)


@given(st.integers(0, 10), st.integers(1, 9))
def test_a_single_digit_change_is_detected(position: int, delta: int) -> None:
    number = generate()
    mutated = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not is_valid(mutated)


def test_rejects_malformed() -> None:
    assert not is_valid("")
    assert not is_valid("12345678901")
    assert not is_valid("１２３４５６７８９０１２")
