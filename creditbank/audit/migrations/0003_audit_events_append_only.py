from django.db import migrations

from creditbank.kernel.append_only import MakeAppendOnly


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_event_digest")]

    operations = [MakeAppendOnly("audit_auditevent")]
