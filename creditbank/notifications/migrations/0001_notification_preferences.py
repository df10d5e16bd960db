import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_from_profiles(apps, schema_editor):
    """Preferences move from profiles.Profile to their own table; defaults need no row."""
    Profile = apps.get_model("profiles", "Profile")
    Preference = apps.get_model("notifications", "NotificationPreference")
    rows = [
        Preference(user_id=p.user_id, email_decisions=p.notify_email_decisions, email_notices=p.notify_email_notices)
        for p in Profile.objects.exclude(notify_email_decisions=True, notify_email_notices=False).iterator()
    ]
    Preference.objects.bulk_create(rows, batch_size=500)


def copy_back(apps, schema_editor):
    Profile = apps.get_model("profiles", "Profile")
    Preference = apps.get_model("notifications", "NotificationPreference")
    for pref in Preference.objects.iterator():
        Profile.objects.filter(user_id=pref.user_id).update(
            notify_email_decisions=pref.email_decisions, notify_email_notices=pref.email_notices
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("profiles", "0002_change_request_proof_filename"),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email_decisions", models.BooleanField(default=True)),
                ("email_notices", models.BooleanField(default=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preference",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_from_profiles, copy_back),
    ]
