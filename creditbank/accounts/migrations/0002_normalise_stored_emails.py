"""Store every email address in its canonical form (NFKC, ASCII local part, IDNA domain), so
duplicates are compared on it. An address that cannot be normalised, or whose canonical form
another account already holds, is left as it is and named in the output."""

from django.db import migrations
from django.db.models.functions import Lower


def normalise_emails(apps, schema_editor):  # type: ignore[no-untyped-def]
    from creditbank.accounts.domain.contacts import ContactError, normalise_email

    User = apps.get_model("accounts", "User")
    for user in User.objects.order_by("pk").only("pk", "email"):
        try:
            canonical = normalise_email(user.email)
        except ContactError:
            print(f"\n  account {user.pk}: email left as it is (not a valid address any more)")
            continue
        if canonical == user.email:
            continue
        taken = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=canonical.lower())
            .exclude(pk=user.pk)
            .exists()
        )
        if taken:
            print(f"\n  account {user.pk}: email left as it is (its canonical form belongs to another account)")
            continue
        User.objects.filter(pk=user.pk).update(email=canonical)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_users_account_numbers_api_tokens")]

    operations = [migrations.RunPython(normalise_emails, migrations.RunPython.noop)]
