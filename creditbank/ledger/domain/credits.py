"""Credit amounts: ``Decimal`` with exactly two decimal places, never floats.

An amount is accepted as a ``Decimal``, an ``int`` or a decimal string; it must be finite,
have at most two decimal places (more precision is refused, never rounded away) and fit the
database column (12 digits, 2 after the point). Amounts posted to the ledger are positive.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from creditbank.ledger.errors import ErrorCode

PLACES = Decimal("0.01")
ZERO = Decimal("0.00")
#: Decimal(12, 2): the largest amount a column holds.
MAX_AMOUNT = Decimal("9999999999.99")


class CreditsError(ValueError):
    """A refusal of the ledger's rules; ``code`` is a member of ``ledger.errors.ErrorCode``."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        super().__init__(detail or code.value)
        self.code = code
        self.detail = detail


def credits(value: object) -> Decimal:
    """``value`` as credits with two decimal places, refusing anything else (floats, NaN,
    infinities, more than two decimal places, beyond the column)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise CreditsError(ErrorCode.AMOUNT_INVALID, "credits are a Decimal, an int or a decimal string")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise CreditsError(ErrorCode.AMOUNT_INVALID, "not a decimal number") from None
    if not number.is_finite():
        raise CreditsError(ErrorCode.AMOUNT_INVALID, "not a finite number")
    quantized = number.quantize(PLACES)
    if quantized != number:
        raise CreditsError(ErrorCode.AMOUNT_INVALID, "more than two decimal places")
    if abs(quantized) > MAX_AMOUNT:
        raise CreditsError(ErrorCode.AMOUNT_INVALID, "too large")
    return quantized + ZERO  # normalises -0.00 to 0.00


def positive_credits(value: object) -> Decimal:
    """An amount that may be posted: credits greater than zero."""
    amount = credits(value)
    if amount <= ZERO:
        raise CreditsError(ErrorCode.AMOUNT_INVALID, "an amount posted is greater than zero")
    return amount


def credits_str(value: Decimal) -> str:
    """The wire and canonical form: a plain decimal string with two places (``"4.50"``)."""
    return f"{credits(value):.2f}"
