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
    # programme sub-accounts (domain.postings)
    PROGRAMME_REQUIRED = "programme_required"  # a conversion_credit without the programme it credits
    PROGRAMME_UNEXPECTED = "programme_unexpected"  # a programme given to an entry that touches no programme
    PROGRAMME_KEY_INVALID = "programme_key_invalid"  # not "<institution code>:<programme code>"
    # conversions (services.conversions, services.claims)
    CONVERSION_INPUT_INVALID = "conversion_input_invalid"  # an outcome named twice, no outcome, another type
    CONVERSION_CLAIM_TAKEN = "conversion_claim_taken"  # 409: an outcome is claimed for the programme already
    CONVERSION_CLAIM_MISSING = "conversion_claim_missing"  # 409: posting for an outcome the application has not claimed
    FREEZE_MISMATCH = "freeze_mismatch"  # 409: what the application has frozen is not what it converts
    CONVERSION_ALREADY_POSTED = "conversion_already_posted"  # 409: the application's conversion is posted already
    CONVERSION_NOT_POSTED = "conversion_not_posted"  # 409: the application has no conversion to reverse
    # filters of the credits list and export (selectors.entry_filter)
    DATE_RANGE_INVALID = "date_range_invalid"  # a "from" day after the "to" day
