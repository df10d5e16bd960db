"""A published conversion rule never changes: the database refuses to edit its content or
delete it (a trigger), as the services do; only its status moves (published → retired)."""

from __future__ import annotations

from django.db import migrations

from creditbank.kernel.append_only import FreezePublished


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_conversion_rules")]
    operations = [
        FreezePublished(
            "rules_conversionrule",
            # the columns a published version's hash covers, and its identity
            [
                "series",
                "code",
                "version",
                "institution_id",
                "programme_code",
                "course_code",
                "definition",
                "requires_review",
                "valid_from",
                "valid_to",
                "hash",
                "published_at",
            ],
            function="rules_rule_published_frozen",
            label="a published conversion rule",
            json_columns=["definition"],
        )
    ]
