"""GET /api/v1/me/pathways: where the learner's certified outcomes would count, in words, in the
request's language; verified learners only; nothing written."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import translation

from conftest import Api
from creditbank.rules import plain
from creditbank.rules.domain.evaluator import Check
from creditbank.rules.models import ConversionApplication
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.factories import LearnerFactory, VerifiedLearnerFactory


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def test_pathways_answer_each_programme_with_its_lines_explained(db: Any) -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1")
    api = as_user(learner)
    answer = api.get("/api/v1/me/pathways")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    item = body["items"][0]
    line = item.pop("lines")[0]
    assert item == {
        "institution": "uni-a", "institution_name": school.institution.name_zh, "programme": "CS",
        "programme_name": "计算机科学与技术", "total_credits": "160.00", "held": "0.00", "credits": "4.00",
        "progress": "2.5", "courses": [{"code": "ENG1", "name": "大学英语"}],
    }  # fmt: skip
    assert (line["rule"]["id"], line["credits"], line["outcome_ids"], line["exempts_course"]) == (
        f"rule-{rule.pk}", "4.00", [oid], "ENG1",
    )  # fmt: skip
    assert line["decision"]["eligible"] is True and len(line["explanation"]) == len(line["decision"]["trace"])
    with translation.override("zh-hans"):
        expected = [plain.explain_check(Check(**c)) for c in line["decision"]["trace"]]
    assert line["explanation"] == expected
    assert [(c["step"], c["name"]) for c in line["decision"]["trace"]] == [
        ("in_force", "valid"), ("requirement", "type"), ("requirement", "code"), ("requirement", "max_age_months"),
        ("requirement", "not_expired"), ("choice", "any_of"), ("grant", "fixed"), ("cap", "per_academic_year"),
    ]  # fmt: skip
    english = api.get("/api/v1/me/pathways", headers={"Accept-Language": "en"}).json()
    assert english["items"][0]["programme_name"] == "Computer Science"
    assert english["items"][0]["lines"][0]["description"][0].startswith("Any one of: a vocational certificate")
    assert ConversionApplication.objects.count() == 0


def test_pathways_need_a_verified_account(db: Any) -> None:
    refused = as_user(LearnerFactory()).get("/api/v1/me/pathways")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_verified")
    assert as_user(VerifiedLearnerFactory()).get("/api/v1/me/pathways").json() == {"items": [], "count": 0}
