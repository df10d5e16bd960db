"""The ledger context's error codes (docs/API-ERRORS.md lists each with its status)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # amounts (domain.credits)
    AMOUNT_INVALID = "amount_invalid"  # not a number, negative or zero, over 2 decimal places or too large
    # postings (domain.postings, services.posting)
    KIND_INVALID = "kind_invalid"  # not a kind of entry that may be posted
    INSUFFICIENT_CREDITS = "insufficient_credits"  # 409: a sub-account would go negative
    ALREADY_REVERSED = "already_reversed"  # 409: the entry has been reversed already
    REVERSAL_INVALID = "reversal_invalid"  # a reversal without an entry of the same account, or of a reversal
    # filters of the credits list and export (selectors.entry_filter)
    DATE_RANGE_INVALID = "date_range_invalid"  # a "from" day after the "to" day
