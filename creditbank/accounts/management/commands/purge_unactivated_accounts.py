"""Delete accounts never activated within the activation link's lifetime (run daily)."""

from django.core.management.base import BaseCommand

from creditbank.accounts.services import accounts_purge_unactivated


class Command(BaseCommand):
    help = "Delete accounts still 'registered' after ACTIVATION_TOKEN_MAX_AGE."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"removed {accounts_purge_unactivated()} unactivated accounts")
