"""The rules API: GET /rules with both kinds, the authors' endpoints, the learner's preview."""

from __future__ import annotations

from typing import Any

from django.test import Client

from conftest import Api
from creditbank.outcomes import services as outcome_services
from creditbank.outcomes.tests.factories import deposit_row, make_standard, make_standard_editor
from creditbank.rules.models import ConversionRule
from creditbank.rules.tests.factories import make_programme_school, make_rule, rule_body
from tests.factories import LearnerFactory, VerifiedLearnerFactory


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def test_rules_lists_standards_and_conversion_rules_with_their_kind(db: Any) -> None:
    school = make_programme_school()
    standard = make_standard(editor=make_standard_editor(), code="MATH101")
    rule = make_rule(actor=school.admin)
    api = Api(Client())
    both = api.get("/api/v1/rules").json()
    assert [(i["kind"], i["id"]) for i in both["items"]] == [
        ("certification_standard", f"standard-{standard.pk}"), ("conversion_rule", f"rule-{rule.pk}"),
    ]  # fmt: skip
    assert both["count"] == 2
    second_page = api.get("/api/v1/rules", {"limit": 1, "offset": 1}).json()
    assert ([i["id"] for i in second_page["items"]], second_page["count"]) == ([f"rule-{rule.pk}"], 2)
    by_code = api.get("/api/v1/rules", {"code": "cet4"}).json()
    assert [i["id"] for i in by_code["items"]] == [f"rule-{rule.pk}"]
    by_type = api.get("/api/v1/rules", {"kind": "conversion_rule", "type": "vocational_certificate"}).json()
    assert by_type["count"] == 1
    assert api.get("/api/v1/rules", {"kind": "conversion_rule", "type": "mooc"}).json()["count"] == 0
    detail = api.get(f"/api/v1/rules/rule-{rule.pk}").json()
    assert detail["target"] == {"institution": "uni-a", "programme": "CS", "course": "ENG1"}
    assert (detail["version"], detail["status"], detail["hash"], detail["requires_review"]) == (
        1,
        "published",
        rule.hash,
        False,
    )
    assert detail["caps"]["per_academic_year"] == "10.00"
    wrong = api.get("/api/v1/rules", {"kind": "recipe"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "rule_kind_invalid")
    assert api.get("/api/v1/rules/rule-999999").status_code == 404


def test_authoring_over_the_api(db: Any) -> None:
    school = make_programme_school()
    api = as_user(school.admin)
    made = api.post("/api/v1/conversion-rules", rule_body())
    assert made.status_code == 201, made.content
    rid = int(made.json()["id"].removeprefix("rule-"))
    assert Api(Client()).get(f"/api/v1/rules/rule-{rid}").status_code == 404  # a draft is not public
    bad = api.call(
        "PUT",
        f"/api/v1/conversion-rules/{rid}",
        {**rule_body(), "code": None} | {"grants": {"mode": "ratio", "ratio": "2"}},
    )
    assert bad.status_code == 400
    fixed = {k: v for k, v in rule_body().items() if k != "code"}
    assert (
        api.call("PUT", f"/api/v1/conversion-rules/{rid}", fixed | {"requires_review": True}).json()["requires_review"]
        is True
    )
    published = api.post(f"/api/v1/conversion-rules/{rid}/publish")
    assert published.json()["status"] == "published" and len(published.json()["hash"]) == 64
    locked = api.call("PUT", f"/api/v1/conversion-rules/{rid}", fixed)
    assert (locked.status_code, locked.json()["code"]) == (409, "rule_not_draft")
    revised = api.post(f"/api/v1/conversion-rules/{rid}/versions", {"valid_from": "2027-01-01"})
    assert (revised.status_code, revised.json()["version"]) == (201, 2)
    assert api.get("/api/v1/conversion-rules").json()["count"] == 2
    outsider = as_user(VerifiedLearnerFactory())
    assert outsider.post(f"/api/v1/conversion-rules/{rid}/retire").status_code == 404
    assert outsider.get("/api/v1/conversion-rules").json()["count"] == 0
    sample = {"type": "vocational_certificate", "code": "CET4", "achieved_on": "2025-06-01", "credits": "2"}
    tried = api.post("/api/v1/conversion-rules/preview", {"rule": rule_body(), "sample": sample, "as_of": "2026-12-01"})
    assert tried.status_code == 200, tried.content
    assert (tried.json()["eligible"], tried.json()["credits"], tried.json()["exempts_course"]) == (True, "4.00", "ENG1")
    imported = api.post(
        "/api/v1/conversion-rules/import", {"rules": [rule_body(code="R2"), {"code": "R3"}], "publish": True}
    )
    assert [r["code"] for r in imported.json()["created"]] == ["R2"]
    assert [(e["index"], e["code"]) for e in imported.json()["errors"]] == [(1, "rule_target_invalid")]
    assert ConversionRule.objects.filter(code="R2", status="published").count() == 1


def test_the_learners_preview_explains_and_writes_nothing(db: Any) -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    row = deposit_row(learner, "cet-1", type="vocational_certificate", code="CET4", title="CET-4", credits="2")
    report = outcome_services.outcomes_deposit(
        institution=school.institution, rows=[row], actor=school.issuer, deposited_by="test"
    )
    assert report.accepted == 1
    oid = learner_outcome = outcome_services_first_id(learner)
    api = as_user(learner)
    answer = api.post("/api/v1/me/conversions/preview", {"rule_id": f"rule-{rule.pk}", "outcome_ids": [oid]})
    assert answer.status_code == 200, answer.content
    item = answer.json()["items"][0]
    assert (item["rule"]["id"], item["decision"]["eligible"], item["decision"]["credits"]) == (
        f"rule-{rule.pk}",
        True,
        "4.00",
    )
    assert item["decision"]["consumed"] == [learner_outcome]
    by_programme = api.post("/api/v1/me/conversions/preview", {"program": "uni-a:CS"}).json()
    assert by_programme["count"] == 1
    stranger = VerifiedLearnerFactory()
    theirs = as_user(stranger).post(
        "/api/v1/me/conversions/preview", {"rule_id": f"rule-{rule.pk}", "outcome_ids": [oid]}
    )
    assert (theirs.status_code, theirs.json()["code"]) == (400, "conversion_outcomes_invalid")
    malformed = api.post("/api/v1/me/conversions/preview", {"program": "uni-a"})
    assert (malformed.status_code, malformed.json()["code"], list(malformed.json()["errors"])) == (
        400, "conversion_target_required", ["program"],
    )  # fmt: skip
    nothing = api.post("/api/v1/me/conversions/preview", {"outcome_ids": [oid]})
    assert (nothing.status_code, nothing.json()["code"]) == (400, "conversion_target_required")
    unverified = as_user(LearnerFactory()).post("/api/v1/me/conversions/preview", {"rule_id": f"rule-{rule.pk}"})
    assert (unverified.status_code, unverified.json()["code"]) == (403, "not_verified")
    assert ConversionRule.objects.get(pk=rule.pk).applications.count() == 0


def outcome_services_first_id(learner: Any) -> int:
    from creditbank.outcomes.selectors import certified_facts

    return certified_facts(learner)[0].id
