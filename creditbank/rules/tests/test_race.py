"""Fifty threads applying for overlapping conversions for one learner at once (invariant 2):
exactly the allowed ones succeed; no outcome converts twice; the cap holds; the ledger is whole."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections

from creditbank.kernel.errors import DomainError
from creditbank.ledger.models import ConversionClaim, CreditAccount
from creditbank.rules import services
from creditbank.rules.models import ConversionApplication
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.factories import VerifiedLearnerFactory

THREADS = 50
OUTCOMES = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_racing_applications_convert_each_outcome_once_within_the_cap() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers: the race only happens on PostgreSQL (no-op guard)
    school = make_programme_school()
    rule = make_rule(actor=school.admin, caps={"programme_total": "20.00"})  # five conversions of 4.00
    learner = VerifiedLearnerFactory()
    ids = [certified(learner, school, f"c{i}") for i in range(OUTCOMES)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    refused: list[str] = []
    approved: list[int] = []

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            try:
                made = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[ids[i % OUTCOMES]])
                approved.append(made.outcome_ids[0])
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
        t.join(timeout=300)
    assert errors == []
    assert len(approved) == 5 and len(set(approved)) == 5
    assert set(refused) <= {"outcome_already_converted", "cap_reached"} and len(refused) == THREADS - 5
    assert Counter(refused)["cap_reached"] >= 1
    account = CreditAccount.objects.get(user=learner)
    assert account.programmes == {"uni-a:CS": "20.00"}
    assert (account.available, account.frozen) == (Decimal("10.00"), Decimal("0.00"))
    assert ConversionApplication.objects.filter(status="approved").count() == 5
    assert sorted(ConversionClaim.objects.filter(active=True).values_list("outcome_id", flat=True)) == sorted(approved)
    call_command("verify_ledger", stdout=StringIO())
