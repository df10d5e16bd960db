"""Races on PostgreSQL: threads with their own connections do the same thing at the same moment,
and the row locks and database constraints leave exactly one result.

Marked ``postgres``: on SQLite, which runs one writer at a time, they could not race, so they are
deselected there (see conftest.py) and run on PostgreSQL (``./dev test`` with DATABASE_URL; CI).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from conftest import PASSWORD
from creditbank.accounts import services as account_services
from creditbank.accounts.models import AccountStatus, User
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.services import verification_decide
from creditbank.kernel.errors import DomainError
from creditbank.notices.models import TicketMessage
from creditbank.notices.services import ticket_reply_by_user
from creditbank.profiles.models import ChangeRequest, ChangeRequestProof
from creditbank.profiles.services import change_request_create, change_request_decide
from tests import factories
from tests.vault_files import vault_files

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` at the same moment, each in a thread of its own (so on a connection of its
    own); what each returned, or the DomainError it raised, in order."""
    assert connection.vendor == "postgresql", "a race test ran on another database"
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    unexpected: list[BaseException] = []

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except DomainError as exc:
            results[i] = exc
        except BaseException as exc:  # noqa: BLE001 - reported below
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [t for t in threads if t.is_alive()], "a thread is still running"
    assert unexpected == []
    return results


def codes(results: list[Any]) -> list[str]:
    return sorted(r.code if isinstance(r, DomainError) else "ok" for r in results)


def test_reviewers_deciding_one_verification_at_once_make_one_decision() -> None:
    attempt = factories.VerificationAttemptFactory()
    reviewers = [factories.VerificationReviewerFactory() for _ in range(4)]
    decisions = [{"decision": "approve"}, {"decision": "reject", "reason_code": "photo_unclear"}] * 2

    results = race(
        *(
            lambda r=reviewer, d=decision: verification_decide(reviewer=r, attempt_id=attempt.pk, **d)
            for reviewer, decision in zip(reviewers, decisions, strict=True)
        )
    )

    assert codes(results) == ["ok"] + ["verification_not_pending"] * 3
    [winner] = [i for i, r in enumerate(results) if not isinstance(r, DomainError)]
    decided = VerificationAttempt.objects.get(pk=attempt.pk)
    expected = "approved" if decisions[winner]["decision"] == "approve" else "rejected"
    assert (decided.status, decided.reviewer) == (expected, reviewers[winner])
    [event] = AuditEvent.objects.filter(object_type="verification", object_id=str(attempt.pk))
    assert (event.action, event.actor, len(event.digest)) == (f"verification.{decisions[winner]['decision']}",
                                                             reviewers[winner], 64)  # fmt: skip
    verified = User.objects.get(pk=attempt.user_id).status == AccountStatus.VERIFIED
    assert verified is (expected == "approved")


def test_reviewers_deciding_one_change_request_at_once_apply_it_once() -> None:
    request = factories.ChangeRequestFactory(new_value="张三丰")
    reviewers = [factories.ChangeReviewerFactory() for _ in range(3)]

    results = race(
        *(lambda r=r: change_request_decide(reviewer=r, request_id=request.pk, decision="approve") for r in reviewers)
    )

    assert codes(results) == ["change_not_pending", "change_not_pending", "ok"]
    assert ChangeRequest.objects.get(pk=request.pk).status == "approved"
    assert User.objects.get(pk=request.user_id).name == "张三丰"
    assert AuditEvent.objects.filter(action="change_request.approve").count() == 1


def test_change_requests_for_one_field_at_once_leave_one_pending_and_no_stray_file() -> None:
    learner = factories.VerifiedLearnerFactory(name="张三")
    files = vault_files()
    names = ["张三丰", "张三四", "张三五", "张三六"]

    def ask(name: str) -> Callable[[], Any]:
        proof = factories.proof_jpeg(names.index(name) + 1)
        return lambda: change_request_create(user=learner, field="name", new_value=name, reason="改名", proofs=[proof])

    results = race(*(ask(name) for name in names))

    assert codes(results) == ["change_pending"] * 3 + ["ok"]
    [request] = ChangeRequest.objects.filter(user=learner)
    assert (request.status, request.new_value_masked) == ("pending", names[results.index(request)])
    # the refused ones removed the proofs they had stored before the constraint refused them
    assert vault_files() - files == set(ChangeRequestProof.objects.values_list("blob", flat=True))
    assert ChangeRequestProof.objects.filter(request=request).count() == 1


@pytest.mark.parametrize("shared", ["email", "phone", "id_number"])
def test_registrations_sharing_a_value_at_once_make_one_account(shared: str) -> None:
    identities = [
        {
            "email": f"racer{i}@example.com",
            "phone": f"1370000{i:04d}",
            "id_number": factories.id_number_for(900_000 + i),
        }
        for i in range(4)
    ]
    for identity in identities[1:]:
        identity[shared] = identities[0][shared]

    def register(i: int, identity: dict[str, str]) -> Callable[[], Any]:
        return lambda: account_services.user_register(
            name="张三",
            password=PASSWORD,
            accept_terms=True,
            terms_version="2026-01",
            client_address=f"10.77.0.{i}",
            **identity,
        )

    results = race(*(register(i, identity) for i, identity in enumerate(identities)))

    assert codes(results) == ["ok"] * 4  # a duplicate gets the answer of a success (no enumeration)
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert {r.status for r in results} == {"registered"}
    [account] = User.objects.all()
    assert account.account_no == next(r.account_no for r in results if r.created)


def test_messages_at_once_on_one_ticket_stop_at_the_hourly_limit(settings: Any) -> None:
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "TICKET_MESSAGES_PER_HOUR": 3}
    ticket = factories.TicketFactory()

    results = race(
        *(
            lambda n=n: ticket_reply_by_user(user=ticket.user, ticket_id=ticket.pk, message=f"补充 {n}")
            for n in range(7)
        )
    )

    assert codes(results) == ["ok"] * 3 + ["rate_limited"] * 4
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1 + 3
    assert all(r.extra["retry_after"] > 0 for r in results if isinstance(r, DomainError))


# --- outcomes: deposits racing themselves and revocations ---------------------------------------


def test_a_resent_deposit_batch_racing_itself_deposits_once() -> None:
    from django.core.management import call_command

    from creditbank.ledger.models import CreditAccount, LedgerEntry
    from creditbank.outcomes.models import Outcome
    from creditbank.outcomes.services import outcomes_deposit
    from creditbank.outcomes.tests.factories import deposit_row, make_school

    school = make_school("race-u")
    learners = [factories.VerifiedLearnerFactory() for _ in range(3)]
    rows = [deposit_row(learner, f"R-{i}-{n}") for n, learner in enumerate(learners) for i in range(4)]

    def send() -> Any:
        return outcomes_deposit(institution=school.institution, rows=rows, deposited_by="race").as_dict()

    reports = race(*([send] * 4))
    assert sum(r["accepted"] for r in reports) == 12
    assert sum(r["duplicates"] for r in reports) == 36
    assert Outcome.objects.count() == 12 and LedgerEntry.objects.count() == 12
    for learner in learners:
        assert CreditAccount.objects.get(user=learner).available == 4 * Decimal("4.50")
    call_command("verify_ledger")


def test_deposits_freezes_and_revocations_racing_on_one_account_leave_balances_equal_to_the_sums() -> None:
    from django.core.management import call_command

    from creditbank.ledger.models import CreditAccount, LedgerEntry
    from creditbank.ledger.services import ledger_post
    from creditbank.outcomes.models import Outcome
    from creditbank.outcomes.services import outcome_revoke, outcomes_deposit
    from creditbank.outcomes.tests.factories import deposit_row, make_school

    school = make_school("race-v")
    learner = factories.VerifiedLearnerFactory()
    first = outcomes_deposit(
        institution=school.institution, rows=[deposit_row(learner, f"V-{i}") for i in range(6)], deposited_by="race"
    )
    ids = list(first.outcome_ids.values())
    calls: list[Callable[[], Any]] = []
    for i in range(8):
        calls.append(
            lambda i=i: outcomes_deposit(
                institution=school.institution, rows=[deposit_row(learner, f"W-{i}")], deposited_by="race"
            )
        )
    for outcome_id in ids:
        calls.append(
            lambda o=outcome_id: outcome_revoke(
                institution=school.institution, outcome_id=o, reason="race", revoked_by="race"
            )
        )
    for n in range(6):
        calls.append(lambda n=n: ledger_post(user=learner, kind="freeze", amount="1", application_id=n))
    assert len(calls) == 20
    race(*calls)
    account = CreditAccount.objects.get(user=learner)
    entries = LedgerEntry.objects.filter(account=account)
    signed = {"deposit": 1, "reversal": -1}
    available = sum(e.amount * signed.get(e.kind, -1) for e in entries if e.kind in ("deposit", "reversal", "freeze"))
    frozen = sum(e.amount for e in entries if e.kind == "freeze")
    assert (account.available, account.frozen) == (available, frozen)
    assert account.last_seq == entries.count()
    revoked = Outcome.objects.filter(status="revoked").count()
    assert entries.filter(kind="reversal").count() == revoked
    call_command("verify_ledger")


def test_two_institutions_opening_the_same_person_at_once_make_one_account(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two files naming the same new person run at the same moment: one opens the account, the
    other links it (the unique ID-number index decides, and the loser looks the holder up again);
    never two accounts, and only the opener's result holds a password."""
    from types import SimpleNamespace

    from creditbank.accounts.selectors import user_find_by_identifier
    from creditbank.institutions.models import AccountOpeningRow, Enrolment
    from creditbank.institutions.services import account_opening_run, account_opening_upload
    from creditbank.institutions.services.opening import upload as opening_module
    from creditbank.institutions.tests.factories import make_institution, student, students_file

    admin_a, admin_b = factories.LearnerFactory(), factories.LearnerFactory()
    a, b = make_institution("uni-a", admin=admin_a), make_institution("uni-b", admin=admin_b)
    same = student("王芳")
    monkeypatch.setattr(
        opening_module, "tasks", SimpleNamespace(run_account_opening=SimpleNamespace(enqueue=lambda *args: None))
    )
    openings = [
        account_opening_upload(caller=admin, code=code, upload=students_file([same]))
        for admin, code in ((admin_a, "uni-a"), (admin_b, "uni-b"))
    ]

    race(*(lambda o=opening: account_opening_run(opening_id=o.pk) for opening in openings))

    user = user_find_by_identifier(same["id_number"])
    assert user is not None
    assert User.objects.filter(name="王芳").count() == 1
    rows = AccountOpeningRow.objects.filter(opening__in=openings)
    assert sorted(rows.values_list("status", flat=True)) == ["created", "linked"]
    assert rows.get(status="created").initial_password_enc != ""
    assert rows.get(status="linked").initial_password_enc == ""
    assert sorted(Enrolment.objects.filter(user=user).values_list("institution__code", "opened")) == sorted(
        [
            (a.code, rows.get(status="created").opening.institution == a),
            (b.code, rows.get(status="created").opening.institution == b),
        ]
    )
