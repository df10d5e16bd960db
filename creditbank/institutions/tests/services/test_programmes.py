"""Programmes and their courses: written by the institution's administrators and bank staff
managing institutions; each refusal has its code and leaves everything as it was."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from creditbank.audit.models import AuditEvent
from creditbank.institutions.models import Course, Programme
from creditbank.institutions.services import (
    course_create,
    course_deactivate,
    course_update,
    member_add,
    programme_create,
    programme_publish,
    programme_retire,
    programme_update,
)
from creditbank.institutions.tests.factories import make_institution, make_manager, make_programme
from creditbank.kernel.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db

CS = {"programme_code": "CS", "name_zh": "计算机科学与技术", "name_en": "Computer Science", "total_credits": "160"}


def snapshot() -> list[tuple[Any, ...]]:
    """Every programme's and course's columns, to show that a refusal changed nothing."""
    return [
        *Programme.objects.order_by("pk").values_list(
            "institution_id", "code", "name_zh", "name_en", "level", "total_credits", "status"
        ),
        *Course.objects.order_by("pk").values_list("programme_id", "code", "name_zh", "credits", "level", "active"),
    ]


@pytest.fixture
def uni(make_learner):  # type: ignore[no-untyped-def]
    admin = make_learner()
    manager = make_manager()
    institution = make_institution("uni-a", admin=admin, manager=manager)
    return {"admin": admin, "manager": manager, "institution": institution}


def refused(fn: Any, **kwargs: Any) -> DomainError:
    before = snapshot()
    with pytest.raises(DomainError) as info:
        fn(**kwargs)
    assert snapshot() == before
    return info.value


# --- create ---------------------------------------------------------------------------------------


def test_an_admin_creates_a_draft_with_clean_values(uni) -> None:  # type: ignore[no-untyped-def]
    made = programme_create(
        actor=uni["admin"], code="uni-a", programme_code=" CS-2024 ", name_zh=" 计算机科学与技术 ", name_en="",
        total_credits="160.5", level="6", client_address="203.0.113.9",
    )  # fmt: skip
    assert (made.institution, made.code, made.name_zh, made.name_en, made.total_credits, made.level, made.status) == (
        uni["institution"], "CS-2024", "计算机科学与技术", "", Decimal("160.50"), 6, "draft",
    )  # fmt: skip
    event = AuditEvent.objects.get(action="institution.programme_created")
    assert (event.actor, event.object_type, event.object_id, event.client_address) == (
        uni["admin"], "programme", "uni-a/CS-2024", "203.0.113.9",
    )  # fmt: skip


def test_bank_staff_managing_institutions_create_too(uni) -> None:  # type: ignore[no-untyped-def]
    made = programme_create(actor=uni["manager"], code="uni-a", **CS)
    assert made.institution == uni["institution"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("programme_code", "", "programme_code_invalid"),
        ("programme_code", "-CS", "programme_code_invalid"),
        ("programme_code", "CS/2024", "programme_code_invalid"),
        ("programme_code", "计算机", "programme_code_invalid"),
        ("programme_code", "C" * 65, "programme_code_invalid"),
        ("total_credits", "0", "programme_credits_invalid"),
        ("total_credits", "-160", "programme_credits_invalid"),
        ("total_credits", "1000.01", "programme_credits_invalid"),
        ("total_credits", "1e2", "programme_credits_invalid"),
        ("total_credits", "160.005", "programme_credits_invalid"),
        ("level", 11, "programme_level_invalid"),
        ("level", 0, "programme_level_invalid"),
        ("level", True, "programme_level_invalid"),
        ("name_zh", "  ", "required"),
        ("name_en", "x" * 201, "too_long"),
    ],
)
def test_each_field_is_checked(uni, field, value, code) -> None:  # type: ignore[no-untyped-def]
    error = refused(programme_create, actor=uni["admin"], code="uni-a", **{**CS, field: value})
    named = {"programme_code": "code"}.get(field, field)
    assert (error.code, error.status, list(error.errors)) == (code, 400, [named])


def test_every_refused_field_at_once(uni) -> None:  # type: ignore[no-untyped-def]
    error = refused(
        programme_create, actor=uni["admin"], code="uni-a", programme_code="", name_zh="", total_credits="x", level=99
    )
    assert error.code == "programme_code_invalid"
    assert sorted(error.errors) == ["code", "level", "name_zh", "total_credits"]


def test_a_code_the_institution_uses_is_refused_but_another_institution_may_use_it(uni, make_learner) -> None:  # type: ignore[no-untyped-def]
    programme_create(actor=uni["admin"], code="uni-a", **CS)
    error = refused(programme_create, actor=uni["admin"], code="uni-a", **CS)
    assert (error.code, error.status, list(error.errors)) == ("programme_exists", 409, ["code"])
    admin_b = make_learner()
    make_institution("uni-b", admin=admin_b, manager=uni["manager"])
    assert programme_create(actor=admin_b, code="uni-b", **CS).code == "CS"
    assert programme_create(actor=uni["admin"], code="uni-a", **{**CS, "programme_code": "cs"}).code == "cs"


def test_another_institutions_admin_and_its_issuers_and_reviewers_get_not_found(uni, make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_b, issuer, reviewer, person = make_learner(), make_learner(), make_learner(), make_learner()
    make_institution("uni-b", admin=admin_b, manager=uni["manager"])
    member_add(actor=uni["admin"], code="uni-a", account=issuer.email, role="issuer")
    member_add(actor=uni["admin"], code="uni-a", account=reviewer.email, role="reviewer")
    for outsider in (admin_b, issuer, reviewer, person):
        error = refused(programme_create, actor=outsider, code="uni-a", **CS)
        assert isinstance(error, NotFound) and error.status == 404
    assert refused(programme_create, actor=uni["admin"], code="nowhere", **CS).status == 404


# --- update, publish, retire ----------------------------------------------------------------------


def test_a_draft_changes_every_field_including_its_code(uni) -> None:  # type: ignore[no-untyped-def]
    programme_create(actor=uni["admin"], code="uni-a", **CS)
    changed = programme_update(
        actor=uni["admin"], code="uni-a", programme_code="CS",
        changes={"code": "CST", "name_en": "CS and Technology", "level": None, "total_credits": "165"},
    )  # fmt: skip
    assert (changed.code, changed.name_zh, changed.name_en, changed.level, changed.total_credits) == (
        "CST", "计算机科学与技术", "CS and Technology", None, Decimal("165.00"),
    )  # fmt: skip
    assert list(Programme.objects.values_list("code", flat=True)) == ["CST"]
    assert AuditEvent.objects.get(action="institution.programme_updated").reason == "code,level,name_en,total_credits"


def test_a_draft_cannot_take_a_code_in_use(uni) -> None:  # type: ignore[no-untyped-def]
    programme_create(actor=uni["admin"], code="uni-a", **CS)
    programme_create(actor=uni["admin"], code="uni-a", **{**CS, "programme_code": "EC"})
    error = refused(programme_update, actor=uni["admin"], code="uni-a", programme_code="EC", changes={"code": "CS"})
    assert (error.code, error.status) == ("programme_exists", 409)


def test_update_refusals(uni) -> None:  # type: ignore[no-untyped-def]
    programme_create(actor=uni["admin"], code="uni-a", **CS)
    error = refused(
        programme_update, actor=uni["admin"], code="uni-a", programme_code="CS",
        changes={"total_credits": "0", "name_zh": ""},
    )  # fmt: skip
    assert (error.code, sorted(error.errors)) == ("programme_credits_invalid", ["name_zh", "total_credits"])
    with pytest.raises(NotFound):
        programme_update(actor=uni["admin"], code="uni-a", programme_code="NOPE", changes={"name_en": "x"})
    with pytest.raises(TypeError):
        programme_update(actor=uni["admin"], code="uni-a", programme_code="CS", changes={"status": "published"})


def test_publish_fixes_the_code_but_names_and_credits_still_change(uni) -> None:  # type: ignore[no-untyped-def]
    programme_create(actor=uni["admin"], code="uni-a", **CS)
    published = programme_publish(actor=uni["admin"], code="uni-a", programme_code="CS")
    assert published.status == "published"
    error = refused(programme_update, actor=uni["admin"], code="uni-a", programme_code="CS", changes={"code": "CST"})
    assert (error.code, error.status, list(error.errors)) == ("programme_not_draft", 409, ["code"])
    same = programme_update(actor=uni["admin"], code="uni-a", programme_code="CS", changes={"code": "CS"})
    assert same.code == "CS"  # the same code is no change
    changed = programme_update(
        actor=uni["admin"], code="uni-a", programme_code="CS", changes={"name_zh": "计算机科学", "total_credits": "150"}
    )
    assert (changed.name_zh, changed.total_credits, changed.status) == ("计算机科学", Decimal("150.00"), "published")
    again = refused(programme_publish, actor=uni["admin"], code="uni-a", programme_code="CS")
    assert (again.code, again.status) == ("programme_not_draft", 409)
    assert AuditEvent.objects.filter(action="institution.programme_published").count() == 1


def test_retire_keeps_the_rows_and_ends_every_change(uni) -> None:  # type: ignore[no-untyped-def]
    make_programme(uni["institution"], admin=uni["admin"])
    retired = programme_retire(actor=uni["admin"], code="uni-a", programme_code="CS")
    assert retired.status == "retired"
    assert Course.objects.filter(programme=retired).count() == 2
    admin = uni["admin"]
    for fn, kwargs in [
        (programme_retire, {}),
        (programme_update, {"changes": {"name_en": "x"}}),
        (course_create, {"course_code": "PHY101", "name_zh": "大学物理", "credits": "3"}),
        (course_update, {"course_code": "MATH101", "changes": {"credits": "6"}}),
        (course_deactivate, {"course_code": "MATH101"}),
    ]:
        error = refused(fn, actor=admin, code="uni-a", programme_code="CS", **kwargs)
        assert (error.code, error.status) == ("programme_retired", 409), fn.__name__
    assert refused(programme_publish, actor=admin, code="uni-a", programme_code="CS").code == "programme_not_draft"


def test_a_draft_may_be_retired(uni) -> None:  # type: ignore[no-untyped-def]
    programme_create(actor=uni["admin"], code="uni-a", **CS)
    assert programme_retire(actor=uni["admin"], code="uni-a", programme_code="CS").status == "retired"


def test_others_cannot_publish_retire_or_update(uni, make_learner) -> None:  # type: ignore[no-untyped-def]
    make_programme(uni["institution"], admin=uni["admin"], publish=False)
    admin_b, issuer = make_learner(), make_learner()
    make_institution("uni-b", admin=admin_b, manager=uni["manager"])
    member_add(actor=uni["admin"], code="uni-a", account=issuer.email, role="issuer")
    for outsider in (admin_b, issuer):
        for fn, kwargs in [
            (programme_publish, {}), (programme_retire, {}), (programme_update, {"changes": {"name_en": "x"}}),
            (course_create, {"course_code": "PHY101", "name_zh": "大学物理", "credits": "3"}),
            (course_update, {"course_code": "MATH101", "changes": {"credits": "6"}}),
        ]:  # fmt: skip
            error = refused(fn, actor=outsider, code="uni-a", programme_code="CS", **kwargs)
            assert error.status == 404, fn.__name__
    with pytest.raises(NotFound):  # through one's own institution's path
        programme_publish(actor=admin_b, code="uni-b", programme_code="CS")
    assert programme_publish(actor=uni["manager"], code="uni-a", programme_code="CS").status == "published"


# --- courses --------------------------------------------------------------------------------------


def test_courses_are_added_to_drafts_and_published_programmes(uni) -> None:  # type: ignore[no-untyped-def]
    programme = make_programme(uni["institution"], admin=uni["admin"], courses=())
    course = course_create(
        actor=uni["admin"], code="uni-a", programme_code="CS", course_code="CS102", name_zh=" 程序设计基础 ",
        name_en="Programming Fundamentals", credits="4.5", level=5,
    )  # fmt: skip
    assert (course.programme, course.code, course.name_zh, course.credits, course.level, course.active) == (
        programme, "CS102", "程序设计基础", Decimal("4.50"), 5, True,
    )  # fmt: skip
    assert AuditEvent.objects.get(action="institution.course_created").reason == "CS102"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("course_code", "", "course_code_invalid"),
        ("course_code", "MATH 101", "course_code_invalid"),
        ("credits", "0", "course_credits_invalid"),
        ("credits", "300.01", "course_credits_invalid"),
        ("credits", "four", "course_credits_invalid"),
        ("level", "11", "programme_level_invalid"),
        ("name_zh", "", "required"),
    ],
)
def test_each_course_field_is_checked(uni, field, value, code) -> None:  # type: ignore[no-untyped-def]
    make_programme(uni["institution"], admin=uni["admin"], courses=())
    good = {"course_code": "CS102", "name_zh": "程序设计基础", "credits": "4"}
    error = refused(course_create, actor=uni["admin"], code="uni-a", programme_code="CS", **{**good, field: value})
    assert (error.code, error.status, list(error.errors)) == (code, 400, [{"course_code": "code"}.get(field, field)])


def test_the_largest_course_is_300_credits(uni) -> None:  # type: ignore[no-untyped-def]
    make_programme(uni["institution"], admin=uni["admin"], courses=())
    made = course_create(
        actor=uni["admin"], code="uni-a", programme_code="CS", course_code="THESIS", name_zh="毕业设计", credits="300"
    )
    assert made.credits == Decimal("300.00")


def test_a_course_code_the_programme_uses_is_refused(uni) -> None:  # type: ignore[no-untyped-def]
    make_programme(uni["institution"], admin=uni["admin"])
    error = refused(
        course_create, actor=uni["admin"], code="uni-a", programme_code="CS", course_code="MATH101", name_zh="高数",
        credits="4",
    )  # fmt: skip
    assert (error.code, error.status, list(error.errors)) == ("course_exists", 409, ["code"])
    make_programme(uni["institution"], admin=uni["admin"], code="EC", name_zh="电子商务")  # the same codes elsewhere
    assert Course.objects.filter(code="MATH101").count() == 2


def test_course_updates_and_codes_fixed_once_published(uni) -> None:  # type: ignore[no-untyped-def]
    make_programme(uni["institution"], admin=uni["admin"], publish=False)
    renamed = course_update(
        actor=uni["admin"], code="uni-a", programme_code="CS", course_code="MATH101", changes={"code": "MATH101A"}
    )
    assert renamed.code == "MATH101A"
    taken = refused(
        course_update, actor=uni["admin"], code="uni-a", programme_code="CS", course_code="MATH101A",
        changes={"code": "ENG101"},
    )  # fmt: skip
    assert (taken.code, taken.status) == ("course_exists", 409)
    programme_publish(actor=uni["admin"], code="uni-a", programme_code="CS")
    fixed = refused(
        course_update, actor=uni["admin"], code="uni-a", programme_code="CS", course_code="MATH101A",
        changes={"code": "MATH101"},
    )  # fmt: skip
    assert (fixed.code, fixed.status, list(fixed.errors)) == ("programme_not_draft", 409, ["code"])
    changed = course_update(
        actor=uni["admin"], code="uni-a", programme_code="CS", course_code="MATH101A",
        changes={"name_en": "Advanced Mathematics A", "credits": "6", "level": 5},
    )  # fmt: skip
    assert (changed.name_en, changed.credits, changed.level) == ("Advanced Mathematics A", Decimal("6.00"), 5)
    bad = refused(
        course_update, actor=uni["admin"], code="uni-a", programme_code="CS", course_code="MATH101A",
        changes={"credits": "301"},
    )  # fmt: skip
    assert bad.code == "course_credits_invalid"
    with pytest.raises(NotFound):
        course_update(actor=uni["admin"], code="uni-a", programme_code="CS", course_code="NOPE", changes={})


def test_deactivating_keeps_the_course_and_it_may_be_offered_again(uni) -> None:  # type: ignore[no-untyped-def]
    make_programme(uni["institution"], admin=uni["admin"])
    off = course_deactivate(actor=uni["admin"], code="uni-a", programme_code="CS", course_code="ENG101")
    assert off.active is False
    assert (
        course_deactivate(actor=uni["admin"], code="uni-a", programme_code="CS", course_code="ENG101").active is False
    )
    on = course_update(
        actor=uni["admin"], code="uni-a", programme_code="CS", course_code="ENG101", changes={"active": True}
    )
    assert on.active is True
    assert Course.objects.count() == 2
