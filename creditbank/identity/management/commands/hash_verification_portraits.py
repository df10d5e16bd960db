"""Portrait hashes for the photo-reuse check, computed from the photos still stored.

Run once after upgrading to the portrait hash (attempts submitted before it have none), and with
``--redo`` whenever the hash or its region changes. Attempts whose photos were already deleted
cannot be hashed: they are matched by their SHA-256 (the same file) only.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from creditbank.identity.services import verification_portrait_hashes_recompute


class Command(BaseCommand):
    help = "Compute the portrait hashes of verification attempts whose photos are still stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--redo", action="store_true", help="recompute every stored photo's hash, not only missing ones"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = verification_portrait_hashes_recompute(redo=options["redo"])
        self.stdout.write(f"hashed the portraits of {count} verifications")
