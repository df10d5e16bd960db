"""Writes of the ledger context: posting entries (and opening the account on first use)."""

from creditbank.ledger.services.posting import credit_account_open, ledger_post

__all__ = ["credit_account_open", "ledger_post"]
