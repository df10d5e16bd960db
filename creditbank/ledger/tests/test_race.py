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


OUTCOMES = 6
CS = "demo-univ:CS"
EE = "demo-univ:EE"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("exclusive", [True, False], ids=["used-once", "once-per-programme"])
def test_concurrent_conversions_convert_each_outcome_once(make_learner: Any, exclusive: bool) -> None:
    """Twenty applications of one learner, each using two of six outcomes (overlapping), claim and
    post their conversion at the same moment. Used once (the default policy): every outcome is
    claimed and converted by at most one of them. Once per programme (half of them for another
    programme): an outcome is claimed at most once per programme and its credits leave the bank
    credits once. Either way the ledger verifies and the balances are the sums of the entries."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers: the race only happens on PostgreSQL (no-op guard)
    from django.db import transaction

    from creditbank.ledger.models import ConversionClaim
    from creditbank.ledger.selectors import outcome_ids_converted
    from creditbank.ledger.services import conversion_claims_take, ledger_post_conversion

    learner = make_learner()
    for outcome_id in range(1, OUTCOMES + 1):
        ledger_post(user=learner, kind="deposit", amount="2.00", outcome_id=outcome_id, outcome_type="mooc")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    refused: list[str] = []
    posted: list[tuple[int, str, list[int], list[int]]] = []

    def work(i: int) -> None:
        ids = sorted({i % OUTCOMES + 1, (i + 1) % OUTCOMES + 1})
        programme = CS if exclusive or i % 2 == 0 else EE
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                conversion_claims_take(
                    user=learner, application_id=100 + i, programme=programme, outcome_ids=ids, exclusive=exclusive
                )
                spent = outcome_ids_converted(learner)
                consumed = [outcome_id for outcome_id in ids if outcome_id not in spent]
                ledger_post_conversion(
                    user=learner, application_id=100 + i, programme=programme,
                    consumed=[(outcome_id, "mooc", "2.00") for outcome_id in consumed], granted="3.00", frozen=False,
                )  # fmt: skip
            posted.append((i, programme, ids, consumed))
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
    assert set(refused) <= {ErrorCode.CONVERSION_CLAIM_TAKEN} and len(refused) + len(posted) == THREADS
    assert posted

    claims = list(ConversionClaim.objects.filter(user=learner).values_list("outcome_id", "programme", "active"))
    assert all(active for _o, _p, active in claims)
    claimed = [(o, p) for o, p, _a in claims]
    assert len(claimed) == len(set(claimed)) == sum(len(ids) for _i, _p, ids, _c in posted)
    if exclusive:
        assert len({o for o, _p in claimed}) == len(claimed)  # each outcome in one programme at most
    debited = [o for _i, _p, _ids, consumed in posted for o in consumed]
    assert len(debited) == len(set(debited))  # each outcome's credits left the bank credits once
    assert outcome_ids_converted(learner) == frozenset(debited)

    account = CreditAccount.objects.get(user=learner)
    entries = list(LedgerEntry.objects.filter(account=account).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1)) and account.last_seq == len(entries)
    assert len(entries) == OUTCOMES + 2 * len(debited) + len(posted)
    own = {"available": Decimal("0"), "frozen": Decimal("0")}
    programmes: dict[str, Decimal] = {}
    for e in entries:
        for side, sign in ((e.debit, -1), (e.credit, 1)):
            if side in own:
                own[side] += sign * e.amount
            elif side == "programme":
                programmes[e.programme] = programmes.get(e.programme, Decimal("0")) + sign * e.amount
    assert (account.available, account.frozen) == (own["available"], own["frozen"])
    assert account.available == Decimal("2.00") * (OUTCOMES - len(debited)) and account.frozen == 0
    assert {k: Decimal(v) for k, v in account.programmes.items()} == programmes
    by_programme: dict[str, Decimal] = {}
    for _i, programme, _ids, _c in posted:
        by_programme[programme] = by_programme.get(programme, Decimal("0")) + Decimal("3.00")
    assert programmes == by_programme
    assert account.by_type == ({"mooc": f"{account.available:.2f}"} if account.available else {})
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()
