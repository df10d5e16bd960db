"""Re-encrypt personal data under the active key and rebuild blind indexes, online.

Procedure (docs/OPERATIONS.md): put the new key FIRST in CREDITBANK_PII_KEYS (and/or
CREDITBANK_BLIND_INDEX_KEYS), keep the old ones after it, restart, run this command, then
remove the old keys. Lookups try every index key meanwhile, so nothing stops working.
What is re-encrypted is the personal-data registry (creditbank/*/personal_data.py).
"""

from django.core.management.base import BaseCommand, CommandError

from creditbank.kernel.rotation import rotate_all


class Command(BaseCommand):
    help = "Re-encrypt every sealed column and vault file under the active key; rebuild blind indexes."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        report = rotate_all(batch_size=options["batch_size"])
        self.stdout.write(f"re-encrypted {report.rows} rows and {report.files} files")
