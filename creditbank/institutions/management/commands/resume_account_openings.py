"""Queue again the account openings whose worker stopped (run every few minutes, or after a
restart): each resumes at its first row not yet reported."""

from django.core.management.base import BaseCommand

from creditbank.institutions.services import account_openings_resume


class Command(BaseCommand):
    help = "Queue again account openings left queued or running without progress for ten minutes."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        resumed = account_openings_resume()
        self.stdout.write(f"queued again {len(resumed)} account openings")
