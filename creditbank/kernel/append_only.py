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
