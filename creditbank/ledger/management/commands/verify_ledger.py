"""``verify_ledger``: recompute every credit account from its entries and check the hash chains."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from creditbank.ledger.selectors import ledger_check_accounts


class Command(BaseCommand):
    help = (
        "Check every credit account: seqs without gaps, every entry's hash and the hash chain, the "
        "posting rules, and balances recomputed from the entries equal to the stored ones. Exits "
        "non-zero naming the first account that differs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = entries = 0
        for check in ledger_check_accounts():
            if check.problems:
                details = "\n  ".join(check.problems)
                raise CommandError(f"credit account {check.account_id} differs from its entries:\n  {details}")
            accounts += 1
            entries += check.entries
        plural = "" if accounts == 1 else "s"
        self.stdout.write(f"ledger verified: {accounts} account{plural}, {entries} entries, every hash chain intact")
