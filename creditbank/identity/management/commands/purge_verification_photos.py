"""Delete ID photos whose retention period has passed (run daily; the worker also schedules it)."""

from django.core.management.base import BaseCommand

from creditbank.identity.services import verification_purge_photos


class Command(BaseCommand):
    help = "Delete verification photos past the retention period (hashes and decisions are kept)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = verification_purge_photos()
        self.stdout.write(f"deleted the photos of {count} verifications")
