"""Ledger entries are append-only in the database itself, whatever the code does."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from creditbank.ledger.models import LedgerEntry
from creditbank.ledger.services import ledger_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(make_learner: Any) -> LedgerEntry:
    return ledger_post(user=make_learner(), kind="deposit", amount="2.50")


def _refused(sql: str, params: list[object]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_is_refused(entry: LedgerEntry) -> None:
    _refused("UPDATE ledger_ledgerentry SET amount = %s WHERE id = %s", ["250.00", entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount


def test_raw_delete_is_refused(entry: LedgerEntry) -> None:
    _refused("DELETE FROM ledger_ledgerentry WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_orm_update_and_delete_are_refused(entry: LedgerEntry) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount="250.00")
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount
