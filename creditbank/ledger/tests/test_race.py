"""Twenty threads posting to one credit account at once: nothing lost, nothing created."""

from __future__ import annotations

import threading
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections

from creditbank.kernel.errors import DomainError
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.services import ledger_post

THREADS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_keep_the_ledger_whole(make_learner: Any) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers: the race only happens on PostgreSQL (no-op guard)
    learner = make_learner()
    shared = ledger_post(user=learner, kind="deposit", amount="10.00")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    refused: list[str] = []

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            deposit = ledger_post(user=learner, kind="deposit", amount=f"{i + 1}.25", outcome_type="mooc")
            freeze = ledger_post(user=learner, kind="freeze", amount="1.00")
            if i % 2:
                ledger_post(user=learner, kind="reversal", amount=None, reverses=freeze)
            else:
                ledger_post(user=learner, kind="unfreeze", amount="0.50")
            if i % 3 == 0:
                ledger_post(user=learner, kind="reversal", amount=None, reverses=deposit)
            try:  # every thread tries to reverse the same entry: exactly one may
                ledger_post(user=learner, kind="reversal", amount=None, reverses=shared)
            except DomainError as exc:
                refused.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(set(refused)) == [ErrorCode.ALREADY_REVERSED] and len(refused) == THREADS - 1

    account = CreditAccount.objects.get(user=learner)
    entries = list(LedgerEntry.objects.filter(account=account).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert account.last_seq == len(entries)
    sums = {"available": Decimal("0"), "frozen": Decimal("0")}
    for e in entries:
        for side, sign in ((e.debit, -1), (e.credit, 1)):
            if side in sums:
                sums[side] += sign * e.amount
    assert (account.available, account.frozen) == (sums["available"], sums["frozen"])
    deposited = sum(Decimal(f"{i + 1}.25") for i in range(THREADS) if i % 3)
    assert account.available + account.frozen == deposited
    assert account.frozen == Decimal("0.50") * len([i for i in range(THREADS) if i % 2 == 0])
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()
