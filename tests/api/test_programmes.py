"""The programmes API: public lists and details of published programmes, the administrators'
view with ``?all=true``, and their writes. Every answer is validated against the served OpenAPI
document (the ``api`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Api
from creditbank.institutions.models import Course, Programme
from creditbank.institutions.services import member_add
from creditbank.institutions.tests.factories import make_institution, make_manager, make_programme

BASE = "/api/v1/institutions/uni-a/programmes"
NEW = {"code": "EC", "name_zh": "电子商务", "name_en": "E-commerce", "level": 5, "total_credits": "120"}


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


@pytest.fixture
def uni(make_learner):  # type: ignore[no-untyped-def]
    manager = make_manager()
    admin = make_learner()
    institution = make_institution("uni-a", admin=admin, manager=manager)
    make_programme(institution, admin=admin, code="CS")
    make_programme(institution, admin=admin, code="DRAFT", publish=False, name_zh="草稿专业", name_en="")
    return {"manager": manager, "admin": admin, "institution": institution}


def test_anyone_lists_and_reads_published_programmes(api, uni) -> None:  # type: ignore[no-untyped-def]
    listing = api.get(BASE)
    assert listing.status_code == 200
    assert listing.json() == {
        "items": [{
            "code": "CS", "name": {"zh": "计算机科学与技术", "en": "Computer Science and Technology"}, "level": 6,
            "total_credits": "160.00", "status": "published", "institution": "uni-a",
        }],
        "count": 1,
    }  # fmt: skip
    assert api.get(BASE, {"q": "计算机"}).json()["count"] == 1
    assert api.get(BASE, {"q": "草稿"}).json()["count"] == 0
    assert api.get(BASE, {"limit": 1, "offset": 1}).json() == {"items": [], "count": 1}
    detail = api.get(f"{BASE}/CS")
    assert detail.status_code == 200
    assert detail.json()["courses"] == [
        {"code": "ENG101", "name": {"zh": "大学英语 I", "en": "College English I"}, "credits": "4.00", "level": None,
         "active": True},
        {"code": "MATH101", "name": {"zh": "高等数学 A", "en": "Calculus A"}, "credits": "5.00", "level": None,
         "active": True},
    ]  # fmt: skip
    for path in (f"{BASE}/DRAFT", f"{BASE}/NOPE", "/api/v1/institutions/nowhere/programmes"):
        missing = api.get(path)
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found"), path


def test_admins_see_drafts_and_every_course_with_all(api, uni, make_learner) -> None:  # type: ignore[no-untyped-def]
    anonymous = api.get(BASE, {"all": "true"})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    admin = as_user(uni["admin"])
    assert [p["code"] for p in admin.get(BASE, {"all": "true"}).json()["items"]] == ["CS", "DRAFT"]
    assert [p["code"] for p in admin.get(BASE).json()["items"]] == ["CS"]
    draft = admin.get(f"{BASE}/DRAFT", {"all": "true"})
    assert (draft.status_code, draft.json()["status"], len(draft.json()["courses"])) == (200, "draft", 2)
    issuer = make_learner()
    member_add(actor=uni["admin"], code="uni-a", account=issuer.email, role="issuer")
    refused = as_user(issuer).get(BASE, {"all": "true"})
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert as_user(issuer).get(f"{BASE}/DRAFT", {"all": "true"}).status_code == 404
    assert as_user(uni["manager"]).get(BASE, {"all": "true"}).json()["count"] == 2
    assert api.get(BASE, {"all": "maybe"}).status_code == 400


def test_an_admin_creates_edits_publishes_and_retires(uni) -> None:  # type: ignore[no-untyped-def]
    admin = as_user(uni["admin"])
    created = admin.post(BASE, NEW)
    assert created.status_code == 201
    assert created.json() == {
        "code": "EC", "name": {"zh": "电子商务", "en": "E-commerce"}, "level": 5, "total_credits": "120.00",
        "status": "draft", "institution": "uni-a", "courses": [],
    }  # fmt: skip
    course = admin.post(f"{BASE}/EC/courses", {"code": "EC101", "name_zh": "电子商务概论", "credits": "3", "level": 5})
    assert course.status_code == 201
    assert course.json() == {
        "code": "EC101",
        "name": {"zh": "电子商务概论", "en": ""},
        "credits": "3.00",
        "level": 5,
        "active": True,
    }
    renamed = admin.call("PATCH", f"{BASE}/EC", {"code": "ECOM", "level": None})
    assert renamed.status_code == 200
    assert (renamed.json()["code"], renamed.json()["level"], renamed.json()["name"]["zh"]) == ("ECOM", None, "电子商务")
    published = admin.post(f"{BASE}/ECOM/publish")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    locked = admin.call("PATCH", f"{BASE}/ECOM", {"code": "EC"})
    assert (locked.status_code, locked.json()["code"], locked.json()["errors"]) == (
        409, "programme_not_draft", {"code": [locked.json()["errors"]["code"][0]]},
    )  # fmt: skip
    changed = admin.call("PATCH", f"{BASE}/ECOM/courses/EC101", {"credits": "2.5", "active": False})
    assert changed.json() == {
        "code": "EC101",
        "name": {"zh": "电子商务概论", "en": ""},
        "credits": "2.50",
        "level": 5,
        "active": False,
    }
    assert admin.get(f"{BASE}/ECOM").json()["courses"] == []  # public: active courses only
    retired = admin.post(f"{BASE}/ECOM/retire")
    assert (retired.status_code, retired.json()["status"]) == (200, "retired")
    again = admin.post(f"{BASE}/ECOM/retire")
    assert (again.status_code, again.json()["code"]) == (409, "programme_retired")
    assert Programme.objects.filter(code="ECOM").count() == 1 and Course.objects.filter(code="EC101").count() == 1


def test_refusals_are_problem_details_and_store_nothing(uni) -> None:  # type: ignore[no-untyped-def]
    admin = as_user(uni["admin"])
    bad = admin.post(BASE, {**NEW, "code": "EC/1", "total_credits": "0", "level": 11})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert (bad.json()["code"], sorted(bad.json()["errors"])) == (
        "programme_code_invalid",
        ["code", "level", "total_credits"],
    )
    number = admin.post(BASE, {**NEW, "total_credits": 120})
    assert (number.status_code, number.json()["code"]) == (400, "validation_error")  # a decimal string, not a number
    unknown = admin.post(BASE, {**NEW, "status": "published"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_field")
    exists = admin.post(BASE, {**NEW, "code": "CS"})
    assert (exists.status_code, exists.json()["code"]) == (409, "programme_exists")
    course = admin.post(f"{BASE}/CS/courses", {"code": "MATH101", "name_zh": "高数", "credits": "4"})
    assert (course.status_code, course.json()["code"]) == (409, "course_exists")
    credits = admin.post(f"{BASE}/CS/courses", {"code": "PHY101", "name_zh": "大学物理", "credits": "301"})
    assert (credits.status_code, credits.json()["code"]) == (400, "course_credits_invalid")
    active = admin.call("PATCH", f"{BASE}/CS/courses/MATH101", {"active": "no"})
    assert (active.status_code, active.json()["code"]) == (400, "boolean_required")
    draft = admin.post(f"{BASE}/CS/publish")
    assert (draft.status_code, draft.json()["code"]) == (409, "programme_not_draft")
    assert admin.post(f"{BASE}/NOPE/publish").status_code == 404
    assert admin.call("PATCH", f"{BASE}/CS/courses/NOPE", {"credits": "2"}).status_code == 404
    assert sorted(Programme.objects.values_list("code", flat=True)) == ["CS", "DRAFT"]
    assert Course.objects.filter(programme__code="CS").count() == 2


def test_only_the_institutions_admins_and_managers_write(uni, make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_b, reviewer = make_learner(), make_learner()
    make_institution("uni-b", admin=admin_b, manager=uni["manager"])
    member_add(actor=uni["admin"], code="uni-a", account=reviewer.email, role="reviewer")
    for outsider in (admin_b, reviewer):
        caller = as_user(outsider)
        for method, path, body in [
            ("POST", BASE, NEW), ("PATCH", f"{BASE}/CS", {"name_en": "x"}), ("POST", f"{BASE}/DRAFT/publish", None),
            ("POST", f"{BASE}/CS/retire", None), ("POST", f"{BASE}/CS/courses", {"code": "X1", "name_zh": "某", "credits": "1"}),
            ("PATCH", f"{BASE}/CS/courses/MATH101", {"active": False}),
        ]:  # fmt: skip
            response = caller.call(method, path, body)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), (method, path)
    unauthenticated = Api(Client()).post(BASE, NEW)
    assert (unauthenticated.status_code, unauthenticated.json()["code"]) == (401, "not_authenticated")
    assert as_user(uni["manager"]).post(BASE, NEW).status_code == 201
    assert Programme.objects.get(code="CS").name_en == "Computer Science and Technology"
    assert Course.objects.get(programme__code="CS", code="MATH101").active is True


def test_creates_are_idempotent_with_a_key(uni) -> None:  # type: ignore[no-untyped-def]
    admin = as_user(uni["admin"])
    first = admin.post(BASE, NEW, headers={"Idempotency-Key": "prog-1"})
    again = admin.post(BASE, NEW, headers={"Idempotency-Key": "prog-1"})
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    course = {"code": "EC101", "name_zh": "电子商务概论", "credits": "3"}
    one = admin.post(f"{BASE}/EC/courses", course, headers={"Idempotency-Key": "course-1"})
    two = admin.post(f"{BASE}/EC/courses", course, headers={"Idempotency-Key": "course-1"})
    assert (one.status_code, two.status_code, two.json()) == (201, 201, one.json())
    assert Programme.objects.filter(code="EC").count() == 1 and Course.objects.filter(code="EC101").count() == 1
