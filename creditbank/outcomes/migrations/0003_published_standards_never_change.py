"""A published certification standard never changes: the database refuses to edit its content
or delete it (a trigger), as the services do; only its status moves (published → retired)."""

from __future__ import annotations

from django.db import migrations

from creditbank.kernel.append_only import FreezePublished


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_import_jobs")]
    operations = [
        FreezePublished(
            "outcomes_certificationstandard",
            # the columns a published version's hash covers, and its identity
            [
                "series",
                "version",
                "owner_id",
                "outcome_type",
                "code",
                "title_zh",
                "title_en",
                "credits",
                "level",
                "evidence_zh",
                "evidence_en",
                "validity_months",
                "valid_from",
                "hash",
                "published_at",
            ],
            function="outcomes_standard_published_frozen",
            label="a published certification standard",
        )
    ]
