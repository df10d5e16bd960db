"""Whether statements run by a block asked the database for row locks (``SELECT … FOR UPDATE``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


@contextmanager
def locking() -> Iterator[list[str]]:
    """Run the block in a transaction; yields a list that holds, once the block is done, the locking
    clause (``FOR UPDATE …``) of every statement that asked for row locks."""
    locks: list[str] = []
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        yield locks
    for query in captured.captured_queries:
        sql = query["sql"]
        if "FOR UPDATE" in sql.upper():
            locks.append(sql[sql.upper().index("FOR UPDATE") :])


def expected_locks(table: str | None = None) -> list[str]:
    """The locking clause of one ``select_for_update()`` (``of=("self",)``: of ``table``) on a
    database that has row locks (PostgreSQL); none on SQLite, which locks the whole database."""
    if not connection.features.has_select_for_update:
        return []
    return [f'FOR UPDATE OF "{table}"' if table else "FOR UPDATE"]
