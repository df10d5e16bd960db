"""Writes of the ledger context: posting entries (and opening the account on first use)."""

from creditbank.ledger.services.batch import Deposit, ledger_post_deposits
from creditbank.ledger.services.posting import credit_account_open, ledger_post

__all__ = ["Deposit", "credit_account_open", "ledger_post", "ledger_post_deposits"]
