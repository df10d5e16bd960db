"""Append-only tables: the database itself refuses UPDATE and DELETE on them.

Used by the audit trail now and by the credit ledger and the transparency log later: rows there
are facts that are corrected by appending, never by rewriting. A migration makes a table
append-only with :class:`MakeAppendOnly`; the guard is a trigger, so it also holds against raw
SQL and code that bypasses the ORM. (PostgreSQL's TRUNCATE, a table owner's operation, is not
covered: grant the application role no TRUNCATE in production; see docs/OPERATIONS.md.)

On SQLite a schema change that rebuilds the table (most ALTERs) drops its triggers with the old
table: a migration that alters an append-only table runs ``MakeAppendOnly`` again after it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION creditbank_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def trigger_name(table: str) -> str:
    return f"{table}_append_only"


def create_sql(vendor: str, table: str) -> list[str]:
    name = trigger_name(table)
    if vendor == "postgresql":
        return [
            _PG_FUNCTION,
            f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION creditbank_refuse_change()",
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER "{name}_update" BEFORE UPDATE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: UPDATE refused'); END",
            f'CREATE TRIGGER "{name}_delete" BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: DELETE refused'); END",
        ]
    raise NotImplementedError(f"append-only tables are not implemented for {vendor}")


def drop_sql(vendor: str, table: str) -> list[str]:
    name = trigger_name(table)
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"']
    return [f'DROP TRIGGER IF EXISTS "{name}_update"', f'DROP TRIGGER IF EXISTS "{name}_delete"']


class MakeAppendOnly(migrations.operations.base.Operation):
    """Migration operation: refuse UPDATE and DELETE on ``table`` in the database."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        for sql in create_sql(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        for sql in drop_sql(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql, params=None)

    def describe(self) -> str:
        return f"Make {self.table} append-only"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.table], {})


# --- published versions: rows that may not change once published ---------------------------


def frozen_sql(vendor: str, table: str, *, columns: tuple[str, ...], function: str, label: str,
               json_columns: tuple[str, ...] = ()) -> list[str]:  # fmt: skip
    """A trigger refusing to change ``columns`` of a row of ``table`` once its ``status`` is not
    ``draft``, to delete such a row, to bring a retired row back or a published one back to
    draft. ``label`` names the row in the refusal ("a published conversion rule")."""
    name = f"{table}_append_only_published"  # "append_only": the test reset lifts such guards for its DELETE
    if vendor == "postgresql":
        new = ", ".join(f"NEW.{c}" + ("::text" if c in json_columns else "") for c in columns)
        old = ", ".join(f"OLD.{c}" + ("::text" if c in json_columns else "") for c in columns)
        return [
            f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION '{label} is never deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        ({new}) IS DISTINCT FROM ({old})
        OR (OLD.status = 'retired' AND NEW.status <> 'retired')
        OR NEW.status = 'draft'
    ) THEN
        RAISE EXCEPTION '{label} never changes: revise it to make a new version'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
""",
            f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION {function}()',
        ]
    if vendor == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        return [
            f'CREATE TRIGGER "{name}_update" BEFORE UPDATE ON "{table}" WHEN OLD.status <> \'draft\' AND '
            f"({changed} OR (OLD.status = 'retired' AND NEW.status <> 'retired') OR NEW.status = 'draft') "
            f"BEGIN SELECT RAISE(ABORT, '{label} never changes'); END",
            f'CREATE TRIGGER "{name}_delete" BEFORE DELETE ON "{table}" WHEN OLD.status <> \'draft\' '
            f"BEGIN SELECT RAISE(ABORT, '{label} is never deleted'); END",
        ]
    raise NotImplementedError(f"published versions are not guarded on {vendor}")


def unfrozen_sql(vendor: str, table: str, *, function: str) -> list[str]:
    name = f"{table}_append_only_published"
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', f"DROP FUNCTION IF EXISTS {function}()"]
    return [f'DROP TRIGGER IF EXISTS "{name}_update"', f'DROP TRIGGER IF EXISTS "{name}_delete"']


class FreezePublished(migrations.operations.base.Operation):
    """Migration operation: a published (or retired) version of a document in ``table`` never
    changes nor is deleted; only its status moves from published to retired (see
    :func:`frozen_sql`). Certification standards and conversion rules use it."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, columns: list[str], function: str, label: str, json_columns: list[str] | None = None) -> None:  # fmt: skip
        self.table, self.columns, self.function, self.label = table, list(columns), function, label
        self.json_columns = list(json_columns or [])

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        vendor = schema_editor.connection.vendor
        for sql in frozen_sql(vendor, self.table, columns=tuple(self.columns), function=self.function,
                              label=self.label, json_columns=tuple(self.json_columns)):  # fmt: skip
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        for sql in unfrozen_sql(schema_editor.connection.vendor, self.table, function=self.function):
            schema_editor.execute(sql, params=None)

    def describe(self) -> str:
        return f"Freeze published versions in {self.table}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs = {"json_columns": self.json_columns} if self.json_columns else {}
        return (self.__class__.__qualname__, [self.table, self.columns, self.function, self.label], kwargs)
