from django.db import migrations

from creditbank.kernel.append_only import MakeAppendOnly


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_events")]

    operations = [MakeAppendOnly("audit_auditevent")]
