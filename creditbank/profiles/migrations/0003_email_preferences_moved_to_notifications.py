from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_change_request_proof_filename"),
        ("notifications", "0001_notification_preferences"),
    ]

    operations = [
        migrations.RemoveField(model_name="profile", name="notify_email_decisions"),
        migrations.RemoveField(model_name="profile", name="notify_email_notices"),
    ]
