"""Delete the initial passwords and the students' rows of account openings whose result file
nobody fetched in time (run daily; ``POLICY_ACCOUNT_OPENING_RESULT_HOURS``)."""

from django.core.management.base import BaseCommand

from creditbank.institutions.services import account_openings_purge


class Command(BaseCommand):
    help = "Delete expired account-opening results (initial passwords and the uploaded rows); the reports stay."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = account_openings_purge()
        self.stdout.write(f"deleted the results of {count} account openings")
