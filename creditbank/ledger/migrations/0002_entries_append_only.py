from django.db import migrations

from creditbank.kernel.append_only import MakeAppendOnly


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_credit_accounts_and_entries")]

    operations = [MakeAppendOnly("ledger_ledgerentry")]
