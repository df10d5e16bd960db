from django.db import migrations

from creditbank.kernel.append_only import MakeAppendOnly


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_institutions_members_and_api_clients")]

    operations = [MakeAppendOnly("institutions_apiclientcall")]
