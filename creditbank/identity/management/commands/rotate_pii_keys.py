"""Re-encrypt personal data under the active key and rebuild blind indexes, online.

Procedure (docs/OPERATIONS.md): put the new key FIRST in CREDITBANK_PII_KEYS (and/or
CREDITBANK_BLIND_INDEX_KEYS), keep the old ones after it, restart, run this command, then
remove the old keys. Lookups try every index key meanwhile, so nothing stops working.
"""

from django.core.management.base import BaseCommand

from creditbank.accounts.services import users_reencrypt_pii
from creditbank.identity.services import photos_reseal


class Command(BaseCommand):
    help = "Re-encrypt PII and photos under the active key; rebuild blind indexes."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        users = users_reencrypt_pii(batch_size=options["batch_size"])
        photos = photos_reseal(batch_size=options["batch_size"])
        self.stdout.write(f"re-encrypted {users} accounts and {photos} photos")
