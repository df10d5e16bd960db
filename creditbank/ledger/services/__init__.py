"""Writes of the ledger context: posting entries (and opening the account on first use),
conversions and the claims that keep an outcome from converting twice."""

from creditbank.ledger.services.batch import Deposit, ledger_post_deposits
from creditbank.ledger.services.claims import conversion_claims_release, conversion_claims_take
from creditbank.ledger.services.conversions import (
    ledger_freeze_for_application,
    ledger_post_conversion,
    ledger_reverse_conversion,
    ledger_unfreeze_for_application,
)
from creditbank.ledger.services.posting import account_lock as credit_account_lock
from creditbank.ledger.services.posting import credit_account_open, ledger_post

__all__ = [
    "Deposit",
    "conversion_claims_release",
    "conversion_claims_take",
    "credit_account_lock",
    "credit_account_open",
    "ledger_freeze_for_application",
    "ledger_post",
    "ledger_post_conversion",
    "ledger_post_deposits",
    "ledger_reverse_conversion",
    "ledger_unfreeze_for_application",
]
