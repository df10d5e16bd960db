"""verify_ledger finds a tampered entry, a broken chain and a projection that differs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from creditbank.kernel.append_only import create_sql, drop_sql
from creditbank.ledger.models import CreditAccount
from creditbank.ledger.services import ledger_post

pytestmark = pytest.mark.django_db
TABLE = "ledger_ledgerentry"


@contextmanager
def trigger_lifted() -> Iterator[Any]:
    """The append-only guard lifted for one tampering statement, as an attacker with the
    database owner's rights could; put back at once."""
    with connection.cursor() as cursor:
        for sql in drop_sql(connection.vendor, TABLE):
            cursor.execute(sql)
        try:
            yield cursor
        finally:
            for sql in create_sql(connection.vendor, TABLE):
                cursor.execute(sql)


@pytest.fixture
def accounts(make_learner: Any) -> list[Any]:
    users = [make_learner(), make_learner()]
    for user in users:
        deposit = ledger_post(user=user, kind="deposit", amount="5", outcome_type="mooc")
        ledger_post(user=user, kind="freeze", amount="2")
        ledger_post(user=user, kind="unfreeze", amount="1")
        ledger_post(user=user, kind="deposit", amount="1.5")
        ledger_post(user=user, kind="reversal", amount=None, reverses=deposit)
    return [CreditAccount.objects.get(user=user) for user in users]


def _verify() -> str:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()


def test_an_intact_ledger_passes(accounts: list[CreditAccount]) -> None:
    assert "2 accounts, 10 entries" in _verify()


def test_a_tampered_amount_is_found(accounts: list[CreditAccount]) -> None:
    target = accounts[1]
    with trigger_lifted() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET amount = %s WHERE account_id = %s AND seq = 4", ["150.00", target.pk]
        )
    with pytest.raises(CommandError, match=rf"credit account {target.pk} differs") as caught:
        _verify()
    assert "seq 4: stored hash" in str(caught.value)


def test_a_removed_entry_is_found(accounts: list[CreditAccount]) -> None:
    target = accounts[0]
    with trigger_lifted() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE account_id = %s AND seq = 4", [target.pk])
    with pytest.raises(CommandError, match=rf"credit account {target.pk} differs") as caught:
        _verify()
    assert "seq 5 where 4 was expected" in str(caught.value)


def test_a_rehashed_entry_breaks_the_chain(accounts: list[CreditAccount]) -> None:
    """Rewriting an entry together with its own hash still breaks the next entry's link."""
    from creditbank.ledger.models import LedgerEntry
    from creditbank.ledger.services.posting import entry_record

    target = accounts[0]
    entry = LedgerEntry.objects.get(account=target, seq=2)
    entry.amount = entry.amount + 1
    forged = entry_record(entry).sha256()
    with trigger_lifted() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET amount = %s, hash = %s WHERE id = %s", [entry.amount, forged, entry.pk]
        )
    with pytest.raises(CommandError) as caught:
        _verify()
    assert "seq 3: previous hash" in str(caught.value)


def test_a_projection_mismatch_is_found(accounts: list[CreditAccount]) -> None:
    CreditAccount.objects.filter(pk=accounts[1].pk).update(available="99.00")
    with pytest.raises(CommandError, match=rf"credit account {accounts[1].pk} differs") as caught:
        _verify()
    assert "projection: available/frozen 99.00/" in str(caught.value)


CS = "demo-univ:CS"


@pytest.fixture
def converted(make_learner: Any) -> CreditAccount:
    """An account whose outcome 1 (4.00) converted into 5.00 credits of demo-univ:CS."""
    from creditbank.ledger.services import conversion_claims_take, ledger_post_conversion

    user = make_learner()
    ledger_post(user=user, kind="deposit", amount="4", outcome_id=1, outcome_type="mooc")
    conversion_claims_take(user=user, application_id=41, programme=CS, outcome_ids=[1], exclusive=True)
    ledger_post_conversion(
        user=user, application_id=41, programme=CS, consumed=[(1, "mooc", "4")], granted="5", frozen=False
    )
    return CreditAccount.objects.get(user=user)


def test_a_ledger_with_a_conversion_passes(converted: CreditAccount) -> None:
    assert "1 account, 4 entries" in _verify()


def test_a_tampered_programme_projection_is_found(converted: CreditAccount) -> None:
    CreditAccount.objects.filter(pk=converted.pk).update(programmes={CS: "6.00"})
    with pytest.raises(CommandError, match=rf"credit account {converted.pk} differs") as caught:
        _verify()
    assert (
        "projection: credits by programme {'demo-univ:CS': '6.00'} differ from the entries' {'demo-univ:CS': '5.00'}"
        in str(caught.value)
    )


def test_a_programme_missing_from_the_projection_is_found(converted: CreditAccount) -> None:
    CreditAccount.objects.filter(pk=converted.pk).update(programmes={})
    with pytest.raises(CommandError) as caught:
        _verify()
    assert "credits by programme {} differ from the entries' {'demo-univ:CS': '5.00'}" in str(caught.value)


def test_a_tampered_entry_programme_is_found(converted: CreditAccount) -> None:
    with trigger_lifted() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET programme = %s WHERE account_id = %s AND seq = 4",
            ["demo-univ:EE", converted.pk],
        )
    with pytest.raises(CommandError) as caught:
        _verify()
    assert "seq 4: stored hash" in str(caught.value)
    assert "credits by programme {'demo-univ:CS': '5.00'} differ from the entries' {'demo-univ:EE': '5.00'}" in str(
        caught.value
    )
