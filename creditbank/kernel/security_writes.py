"""Security writes that survive the refusal of the request that made them.

A rate-limit count or a security event is written while a request is handled. When that request
runs inside a larger transaction (``run_idempotent`` wraps a whole create) and is then refused,
the rollback would undo the count too: a client could send refusals with an ``Idempotency-Key``
for ever without being counted. Writers register such a write with :func:`keep_if_rolled_back`;
:func:`atomic_keeping_security_writes` is ``transaction.atomic`` that, after a rollback, writes
them again outside the rolled-back block (inside the caller's transaction, if there is one, which
again keeps them if it rolls back in turn).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_journal: ContextVar[list[Callable[[], None]] | None] = ContextVar("security_writes_journal", default=None)


def keep_if_rolled_back(write: Callable[[], None]) -> None:
    """Call ``write`` again if the enclosing protected block rolls back (no-op outside one)."""
    journal = _journal.get()
    if journal is not None:
        journal.append(write)


@contextmanager
def atomic_keeping_security_writes() -> Iterator[None]:
    journal: list[Callable[[], None]] = []
    token = _journal.set(journal)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _journal.reset(token)
        for write in journal:
            write()
        raise
    _journal.reset(token)
