"""Bulk inserts: PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy``), ``bulk_create`` elsewhere.

Measured here (docs/SCALING.md), COPY writes about thirty times as many rows a second as
``bulk_create`` on PostgreSQL, so the bulk writers (imports, ledger batches) go through
:func:`insert_rows`. COPY bypasses ``Model.save()`` (no signals, no ``auto_now``): callers give
every column, timestamps included. Primary keys are drawn from the table's own sequence first
(:func:`reserve_ids`), so the caller knows them before the rows exist, as it must when two
tables refer to each other's rows by id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` fresh primary keys from the table's sequence, in increasing order, on
    PostgreSQL; None on databases without sequences (the rows then get theirs on insert)."""
    if connection.vendor != "postgresql":
        return None
    if count <= 0:
        return []
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return sorted(int(row[0]) for row in cursor.fetchall())


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return None if value is None else Jsonb(value)


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert ``rows`` (field name → value; every row the same fields) and answer their primary
    keys in order. On PostgreSQL the keys are reserved and the rows written with one COPY; else
    ``bulk_create`` (SQLite answers the keys of the new rows)."""
    if not rows:
        return []
    opts = model._meta
    pk = opts.pk
    assert pk is not None
    names = list(rows[0])
    ids = reserve_ids(model, len(rows)) if pk.name not in names else None
    if connection.vendor == "postgresql":
        if ids is not None:
            rows = [{**row, pk.name: ident} for row, ident in zip(rows, ids, strict=True)]
            names = [pk.name, *names]
        fields = [(name, opts.get_field(name)) for name in names]  # "account_id" names the field "account"
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for _name, f in fields)  # type: ignore[union-attr]
        sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
        json_names = {name for name, f in fields if isinstance(f, models.JSONField)}
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                values = [row[name] for name in names]
                if json_names:
                    values = [_jsonb(v) if n in json_names else v for n, v in zip(names, values, strict=True)]
                copy.write_row(values)
        return ids if ids is not None else [int(row[pk.name]) for row in rows]
    created = model._default_manager.bulk_create([model(**row) for row in rows])
    return [int(obj.pk) for obj in created]
