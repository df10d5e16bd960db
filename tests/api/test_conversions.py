"""The conversion API: apply (idempotent), refusals with the decision, the learner's list and
withdrawal, the institution's queue and decision; IDOR answers 404."""

from __future__ import annotations

from typing import Any

from django.test import Client

from conftest import Api
from creditbank.ledger.models import CreditAccount
from creditbank.rules.models import ConversionApplication
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.factories import VerifiedLearnerFactory


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def test_apply_at_once_idempotently_and_list(db: Any) -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    api = as_user(learner)
    body = {"rule_id": f"rule-{rule.pk}", "outcome_ids": [oid]}
    made = api.post("/api/v1/me/conversions", body, headers={"Idempotency-Key": "k-1"})
    assert made.status_code == 201, made.content
    answer = made.json()
    assert (answer["status"], answer["credits"], answer["outcome_ids"]) == ("approved", "4.00", [oid])
    assert answer["decision"]["eligible"] is True and answer["decision"]["credits"] == "4.00"
    assert answer["rule"] == {
        "id": f"rule-{rule.pk}", "code": "CET4-ENG1", "version": 1, "hash": rule.hash, "requires_review": False,
        "target": {"institution": "uni-a", "programme": "CS", "course": "ENG1"},
    }  # fmt: skip
    again = api.post("/api/v1/me/conversions", body, headers={"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()["id"]) == (201, answer["id"])
    assert ConversionApplication.objects.count() == 1
    refused = api.post("/api/v1/me/conversions", body)
    assert (refused.status_code, refused.json()["code"]) == (409, "outcome_already_converted")
    assert refused.json()["decision"]["refusal"] == "outcome_already_converted"
    listed = api.get("/api/v1/me/conversions").json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, answer["id"])
    assert as_user(VerifiedLearnerFactory()).get(f"/api/v1/me/conversions/{answer['id']}").status_code == 404
    assert CreditAccount.objects.get(user=learner).programmes == {"uni-a:CS": "4.00"}


def test_a_refusal_carries_the_trace(db: Any) -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "m1", type="mooc", code="PY101")
    refused = as_user(learner).post("/api/v1/me/conversions", {"rule_id": f"rule-{rule.pk}", "outcome_ids": [oid]})
    assert (refused.status_code, refused.json()["code"]) == (400, "criteria_not_met")
    failing = [(c["name"], c["outcome"]) for c in refused.json()["decision"]["trace"] if not c["passed"]]
    assert failing == [("type", oid), ("code", oid), ("any_of", None)]
    assert ConversionApplication.objects.count() == 0
    bad = as_user(learner).post("/api/v1/me/conversions", {"rule_id": "rule-x", "outcome_ids": [oid]})
    assert bad.status_code == 404


def test_review_queue_decision_and_withdrawal(db: Any) -> None:
    school = make_programme_school()
    other = make_programme_school("uni-b")
    rule = make_rule(actor=school.admin, code="REV", requires_review=True)
    learner = VerifiedLearnerFactory()
    first, second = certified(learner, school, "c1"), certified(learner, school, "c2")
    api = as_user(learner)
    pending = api.post("/api/v1/me/conversions", {"rule_id": f"rule-{rule.pk}", "outcome_ids": [first]}).json()
    assert pending["status"] == "pending_review"
    reviewer = as_user(school.reviewer)
    queue = reviewer.get("/api/v1/review/conversions").json()
    assert [(i["id"], i["account_no"]) for i in queue["items"]] == [(pending["id"], learner.account_no)]
    assert as_user(other.reviewer).get("/api/v1/review/conversions").json()["count"] == 0
    stranger = as_user(other.reviewer).post(
        f"/api/v1/review/conversions/{pending['id']}/decision", {"decision": "approve"}
    )
    assert stranger.status_code == 404
    not_reviewer = as_user(VerifiedLearnerFactory()).get("/api/v1/review/conversions")
    assert (not_reviewer.status_code, not_reviewer.json()["code"]) == (403, "not_reviewer")
    no_reason = reviewer.post(f"/api/v1/review/conversions/{pending['id']}/decision", {"decision": "reject"})
    assert no_reason.status_code == 400
    decided = reviewer.post(f"/api/v1/review/conversions/{pending['id']}/decision", {"decision": "approve"})
    assert (decided.status_code, decided.json()["status"]) == (200, "approved")
    waiting = api.post("/api/v1/me/conversions", {"rule_id": f"rule-{rule.pk}", "outcome_ids": [second]}).json()
    withdrawn = api.post(f"/api/v1/me/conversions/{waiting['id']}/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    twice = api.post(f"/api/v1/me/conversions/{waiting['id']}/withdraw")
    assert (twice.status_code, twice.json()["code"]) == (409, "conversion_not_pending")
    account = CreditAccount.objects.get(user=learner)
    assert (str(account.available), str(account.frozen), account.programmes) == ("2.00", "0.00", {"uni-a:CS": "4.00"})
