"""The outcomes API: self-report with evidence → certification → decision → credits; deposits by
an issuer and by an API client; revocation; public standards. Every answer is validated against
the served OpenAPI document (conftest.Api)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Api
from creditbank.institutions.tests.factories import make_client
from creditbank.ledger.models import LedgerEntry
from creditbank.outcomes.models import CertificationApplication, Outcome
from creditbank.outcomes.tests.factories import deposit_row, make_school, make_standard, make_standard_editor
from tests.factories import LearnerFactory, VerifiedLearnerFactory, proof_jpeg

FORM = {
    "type": "vocational_certificate", "title": "Web 前端开发（中级）", "code": "1X-WEB-2", "issuer": "uni-a",
    "achieved_on": "2025-06-30", "credits": "6", "result_scheme": "pass_fail", "result_value": "pass", "level": "4",
}  # fmt: skip


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def as_client(client_id: str, secret: str, scope: str | None = None) -> Api:
    api = Api(Client())
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope:
        body["scope"] = scope
    response = api.post("/api/v1/auth/token", body)
    assert response.status_code == 200, response.content
    api.token = response.json()["access_token"]
    return api


@pytest.fixture
def school(db: Any) -> Any:
    return make_school("uni-a")


def test_self_report_apply_approve_and_credits(school: Any) -> None:
    make_standard(editor=make_standard_editor(), owner="", code="1X-WEB-2", credits="6.00",
                  outcome_type="vocational_certificate")  # fmt: skip
    learner = VerifiedLearnerFactory()
    api = as_user(learner)
    created = api.post("/api/v1/me/outcomes", {**FORM, "evidence": [proof_jpeg()]}, multipart=True)
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("type", "issuer", "credits", "result", "level", "status", "source")} == {
        "type": "vocational_certificate", "issuer": "uni-a", "credits": "6.00",
        "result": {"scheme": "pass_fail", "value": "pass"}, "level": 4, "status": "draft", "source": "self_reported",
    }  # fmt: skip
    outcome_id = body["id"]
    evidence_id = body["evidence"][0]["id"]
    assert api.get(f"/api/v1/me/outcomes/{outcome_id}/evidence/{evidence_id}").status_code == 200

    applied = api.post(f"/api/v1/me/outcomes/{outcome_id}/certification")
    assert applied.status_code == 201
    assert (applied.json()["status"], applied.json()["routed_to"]) == ("pending", "uni-a")
    again = api.post(f"/api/v1/me/outcomes/{outcome_id}/certification")
    assert (again.status_code, again.json()["code"]) == (409, "application_open")

    reviewer = as_user(school.reviewer)
    queue = reviewer.get("/api/v1/review/certifications").json()
    assert queue["count"] == 1 and queue["items"][0]["outcome"]["id"] == outcome_id
    app_id = queue["items"][0]["id"]
    assert queue["items"][0]["standard"]["credits"] == "6.00"
    assert reviewer.get(f"/api/v1/review/certifications/{app_id}/evidence/{evidence_id}").status_code == 200
    decided = reviewer.post(f"/api/v1/review/certifications/{app_id}/decision", {"decision": "approve"})
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["credits_granted"]) == ("approved", "6.00")

    credits = api.get("/api/v1/me/credits").json()
    assert credits["balance"] == {"total": "6.00", "available": "6.00", "frozen": "0.00"}
    assert credits["entries"][0]["outcome_id"] == outcome_id and credits["entries"][0]["application_id"] == app_id
    assert api.get(f"/api/v1/me/outcomes/{outcome_id}").json()["status"] == "certified"


def test_rejection_shows_the_reason_and_advice(school: Any) -> None:
    learner = VerifiedLearnerFactory()
    api = as_user(learner)
    outcome_id = api.post("/api/v1/me/outcomes", {**FORM, "evidence": [proof_jpeg()]}, multipart=True).json()["id"]
    app_id = api.post(f"/api/v1/me/outcomes/{outcome_id}/certification").json()["id"]
    refused = as_user(school.reviewer).post(f"/api/v1/review/certifications/{app_id}/decision", {"decision": "reject"})
    assert (refused.status_code, refused.json()["code"]) == (400, "reason_code_invalid")
    as_user(school.reviewer).post(
        f"/api/v1/review/certifications/{app_id}/decision",
        {"decision": "reject", "reason_code": "more_evidence", "note": "需要盖章成绩单"},
    )
    outcome = api.get(f"/api/v1/me/outcomes/{outcome_id}").json()
    assert outcome["status"] == "draft"
    assert outcome["application"]["reason"]["code"] == "more_evidence"
    assert outcome["application"]["reason"]["advice"] and outcome["application"]["note"] == "需要盖章成绩单"


def test_bad_fields_are_problem_details_naming_each_field(db: Any) -> None:
    api = as_user(VerifiedLearnerFactory())
    response = api.post(
        "/api/v1/me/outcomes", {**FORM, "credits": "1e3", "level": "11", "achieved_on": "2025-13-01"}, multipart=True
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"credits", "level", "achieved_on"}
    assert not Outcome.objects.exists()


def test_unverified_learners_and_strangers(db: Any) -> None:
    response = as_user(LearnerFactory()).post("/api/v1/me/outcomes", FORM, multipart=True)
    assert (response.status_code, response.json()["code"]) == (403, "not_verified")
    owner = VerifiedLearnerFactory()
    outcome_id = as_user(owner).post("/api/v1/me/outcomes", FORM, multipart=True).json()["id"]
    stranger = as_user(VerifiedLearnerFactory())
    for call in (
        lambda: stranger.get(f"/api/v1/me/outcomes/{outcome_id}"),
        lambda: stranger.post(f"/api/v1/me/outcomes/{outcome_id}/certification"),
    ):
        assert call().status_code == 404
    assert as_user(owner).get("/api/v1/review/certifications").status_code == 403


def test_an_institution_reviewer_never_sees_another_institutions_application(school: Any) -> None:
    other = make_school("uni-b")
    learner = VerifiedLearnerFactory()
    api = as_user(learner)
    outcome_id = api.post("/api/v1/me/outcomes", {**FORM, "evidence": [proof_jpeg()]}, multipart=True).json()["id"]
    app_id = api.post(f"/api/v1/me/outcomes/{outcome_id}/certification").json()["id"]
    b = as_user(other.reviewer)
    assert b.get("/api/v1/review/certifications").json()["count"] == 0
    assert b.get(f"/api/v1/review/certifications/{app_id}").status_code == 404
    response = b.post(f"/api/v1/review/certifications/{app_id}/decision", {"decision": "approve"})
    assert response.status_code == 404
    assert CertificationApplication.objects.get(pk=app_id).status == "pending"


def test_deposit_by_issuer_and_by_client(school: Any) -> None:
    learner = VerifiedLearnerFactory()
    url = "/api/v1/institutions/uni-a/outcomes"
    rows = [deposit_row(learner, "2025-MATH101-001"), deposit_row(learner, "2025-MATH101-002", credits="2")]
    issuer = as_user(school.issuer)
    answer = issuer.post(url, {"outcomes": rows})
    assert answer.status_code == 200, answer.content
    assert {k: answer.json()[k] for k in ("accepted", "duplicates", "errors")} == {
        "accepted": 2,
        "duplicates": 0,
        "errors": [],
    }

    _client, secret = make_client(school.institution, admin=school.admin, scopes=("outcomes:write", "outcomes:read"))
    system = as_client(_client.client_id, secret)
    resent = system.post(url, {"outcomes": rows})
    assert {k: resent.json()[k] for k in ("accepted", "duplicates")} == {"accepted": 0, "duplicates": 2}
    outcome_id = Outcome.objects.get(external_id="2025-MATH101-001").pk
    assert system.get(f"{url}/{outcome_id}").json()["status"] == "certified"
    revoked = system.post(f"{url}/{outcome_id}/revocation", {"reason": "录入错误"})
    assert revoked.json()["status"] == "revoked"
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1


def test_deposit_refusals(school: Any) -> None:
    other = make_school("uni-b")
    learner = VerifiedLearnerFactory()
    rows = [deposit_row(learner, "X-1")]
    assert as_user(other.issuer).post("/api/v1/institutions/uni-a/outcomes", {"outcomes": rows}).status_code == 404
    assert as_user(school.reviewer).post("/api/v1/institutions/uni-a/outcomes", {"outcomes": rows}).status_code == 404
    assert as_user(learner).post("/api/v1/institutions/uni-a/outcomes", {"outcomes": rows}).status_code == 404
    read_only, secret = make_client(school.institution, admin=school.admin, scopes=("outcomes:read",))
    response = as_client(read_only.client_id, secret).post("/api/v1/institutions/uni-a/outcomes", {"outcomes": rows})
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
    b_client, b_secret = make_client(other.institution, admin=other.admin)
    assert (
        as_client(b_client.client_id, b_secret)
        .post("/api/v1/institutions/uni-a/outcomes", {"outcomes": rows})
        .status_code
        == 404
    )
    too_many = as_user(school.issuer).post(
        "/api/v1/institutions/uni-a/outcomes", {"outcomes": [deposit_row(learner, f"Y-{i}") for i in range(1001)]}
    )
    assert (too_many.status_code, too_many.json()["code"]) == (413, "batch_too_large")
    assert not Outcome.objects.exists()


def test_an_idempotency_key_replays_the_deposit_answer(school: Any) -> None:
    learner = VerifiedLearnerFactory()
    issuer = as_user(school.issuer)
    body = {"outcomes": [deposit_row(learner, "K-1")]}
    first = issuer.post("/api/v1/institutions/uni-a/outcomes", body, headers={"Idempotency-Key": "k-1"})
    second = issuer.post("/api/v1/institutions/uni-a/outcomes", body, headers={"Idempotency-Key": "k-1"})
    assert first.json() == second.json() and first.json()["accepted"] == 1
    assert Outcome.objects.count() == 1


def test_public_rules_list_and_detail(db: Any) -> None:
    editor = make_standard_editor()
    standard = make_standard(editor=editor, code="MATH101")
    api = Api(Client())
    listed = api.get("/api/v1/rules", {"q": "math"}).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["id"], item["kind"], item["status"], item["hash"]) == (
        f"standard-{standard.pk}", "certification_standard", "published", standard.hash,
    )  # fmt: skip
    assert api.get(f"/api/v1/rules/standard-{standard.pk}").json()["credits"] == "4.00"
    assert api.get("/api/v1/rules/standard-999999").status_code == 404
    assert api.get("/api/v1/rules/nonsense").status_code == 404
    assert api.get("/api/v1/rules", {"kind": "conversion_rule"}).json()["count"] == 0


def test_standard_editing_over_the_api(db: Any) -> None:
    editor = as_user_staff = Api(Client())
    staff = make_standard_editor()
    editor.login(staff.email)
    draft = editor.post("/api/v1/standards", {
        "outcome_type": "mooc", "code": "MOOC-PY", "title_zh": "Python 入门", "credits": "1.5", "valid_from": "2026-01-01",
    })  # fmt: skip
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    sid = int(draft.json()["id"].removeprefix("standard-"))
    assert Api(Client()).get(f"/api/v1/rules/standard-{sid}").status_code == 404  # drafts are not public
    published = editor.post(f"/api/v1/standards/{sid}/publish")
    assert published.json()["status"] == "published" and len(published.json()["hash"]) == 64
    locked = as_user_staff.call(
        "PUT", f"/api/v1/standards/{sid}", {"title_zh": "改", "credits": "2", "valid_from": "2026-01-01"}
    )
    assert (locked.status_code, locked.json()["code"]) == (409, "standard_not_draft")
    outsider = as_user(VerifiedLearnerFactory())
    assert outsider.post(f"/api/v1/standards/{sid}/versions", {}).status_code == 404


def test_correct_add_and_remove_evidence_withdraw(school: Any) -> None:
    learner = VerifiedLearnerFactory()
    api = as_user(learner)
    outcome = api.post("/api/v1/me/outcomes", FORM, multipart=True).json()
    oid = outcome["id"]
    json_form = {k: v for k, v in FORM.items() if not k.startswith("result_")} | {
        "level": 4, "result": {"scheme": "pass_fail", "value": "pass"},
    }  # fmt: skip
    corrected = api.call("PUT", f"/api/v1/me/outcomes/{oid}", {**json_form, "credits": "5.5"})
    assert corrected.status_code == 200 and corrected.json()["credits"] == "5.50"
    no_evidence = api.post(f"/api/v1/me/outcomes/{oid}/certification")
    assert (no_evidence.status_code, no_evidence.json()["code"]) == (400, "evidence_required")
    added = api.post(
        f"/api/v1/me/outcomes/{oid}/evidence", {"evidence": [proof_jpeg(3), proof_jpeg(4)]}, multipart=True
    )
    assert added.status_code == 201 and len(added.json()["evidence"]) == 2
    first = added.json()["evidence"][0]["id"]
    removed = api.delete(f"/api/v1/me/outcomes/{oid}/evidence/{first}")
    assert [e["id"] for e in removed.json()["evidence"]] != [first] and len(removed.json()["evidence"]) == 1
    app_id = api.post(f"/api/v1/me/outcomes/{oid}/certification").json()["id"]
    locked = api.call("PUT", f"/api/v1/me/outcomes/{oid}", json_form)
    assert (locked.status_code, locked.json()["code"]) == (409, "outcome_locked")
    assert api.get("/api/v1/me/certifications").json()["count"] == 1
    withdrawn = api.delete(f"/api/v1/me/certifications/{app_id}")
    assert withdrawn.json()["status"] == "withdrawn"
    assert api.get(f"/api/v1/me/outcomes/{oid}").json()["status"] == "draft"
    again = api.delete(f"/api/v1/me/certifications/{app_id}")
    assert (again.status_code, again.json()["code"]) == (409, "application_not_pending")
    assert as_user(VerifiedLearnerFactory()).delete(f"/api/v1/me/certifications/{app_id}").status_code == 404


@pytest.mark.parametrize(
    ("credits", "code"),
    [(4.5, "validation_error"), ("NaN", "credits_invalid"), ("4.5e0", "credits_invalid"), ("-4", "credits_invalid")],
)
def test_credits_are_decimal_strings(db: Any, credits: Any, code: str) -> None:
    api = as_user(VerifiedLearnerFactory())
    oid = api.post("/api/v1/me/outcomes", FORM, multipart=True).json()["id"]
    body = {"type": "mooc", "title": "Python", "issuer": "某平台", "achieved_on": "2025-01-01", "credits": credits}
    response = api.call("PUT", f"/api/v1/me/outcomes/{oid}", body)
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert "credits" in response.json()["errors"]
    assert api.get(f"/api/v1/me/outcomes/{oid}").json()["credits"] == "6.00"
