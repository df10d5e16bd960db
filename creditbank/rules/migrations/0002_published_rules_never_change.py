"""A published conversion rule never changes: the database refuses to edit its content or
delete it (a trigger), as the services do; only its status moves (published → retired)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "rules_conversionrule"
#: the columns a published version's hash covers, and its identity
FROZEN = (
    "series", "code", "version", "institution_id", "programme_code", "course_code", "definition",
    "requires_review", "valid_from", "valid_to", "hash", "published_at",
)  # fmt: skip
# The trigger's name says "append_only": the test suite's SQLite reset lifts such guards for its DELETE only.
NAME = f"{TABLE}_append_only_published"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION rules_rule_published_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'a published conversion rule is never deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        ({", ".join("NEW." + c + ("::text" if c == "definition" else "") for c in FROZEN)})
            IS DISTINCT FROM ({", ".join("OLD." + c + ("::text" if c == "definition" else "") for c in FROZEN)})
        OR (OLD.status = 'retired' AND NEW.status <> 'retired')
        OR NEW.status = 'draft'
    ) THEN
        RAISE EXCEPTION 'a published conversion rule never changes: revise it to make a new version'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
"""
SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(
            f'CREATE TRIGGER "{NAME}" BEFORE UPDATE OR DELETE ON "{TABLE}" '
            "FOR EACH ROW EXECUTE FUNCTION rules_rule_published_frozen()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f'CREATE TRIGGER "{NAME}_update" BEFORE UPDATE ON "{TABLE}" WHEN OLD.status <> \'draft\' AND '
            f"({SQLITE_CHANGED} OR (OLD.status = 'retired' AND NEW.status <> 'retired') OR NEW.status = 'draft') "
            "BEGIN SELECT RAISE(ABORT, 'a published conversion rule never changes'); END"
        )
        schema_editor.execute(
            f'CREATE TRIGGER "{NAME}_delete" BEFORE DELETE ON "{TABLE}" WHEN OLD.status <> \'draft\' '
            "BEGIN SELECT RAISE(ABORT, 'a published conversion rule is never deleted'); END"
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{NAME}" ON "{TABLE}"')
        schema_editor.execute("DROP FUNCTION IF EXISTS rules_rule_published_frozen()")
    elif vendor == "sqlite":
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{NAME}_update"')
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{NAME}_delete"')


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_conversion_rules")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
