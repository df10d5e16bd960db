"""The reads of programmes: public ones (published, of active institutions), the administrators'
(every status, their institution only), and the look-ups conversion rules use."""

from __future__ import annotations

import pytest

from creditbank.institutions import selectors
from creditbank.institutions.models import Institution
from creditbank.institutions.services import course_deactivate, member_add, programme_retire
from creditbank.institutions.tests.factories import make_institution, make_manager, make_programme
from creditbank.kernel.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_learner):  # type: ignore[no-untyped-def]
    """uni-a: CS (published), EC (draft), OLD (retired); uni-b: NUR (published), on an institution
    made inactive at the end when a test asks."""
    manager = make_manager()
    admin_a, admin_b = make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a, manager=manager)
    b = make_institution("uni-b", admin=admin_b, manager=manager, name_zh="演示职业技术学院", name_en="Demo College")
    make_programme(a, admin=admin_a, code="CS")
    make_programme(a, admin=admin_a, code="EC", publish=False, name_zh="电子商务", name_en="E-commerce")
    make_programme(a, admin=admin_a, code="OLD", name_zh="旧专业", name_en="Old")
    programme_retire(actor=admin_a, code="uni-a", programme_code="OLD")
    make_programme(
        b, admin=admin_b, code="NUR", name_zh="护理", name_en="Nursing", courses=(("N1", "基础护理学", "", "6"),)
    )
    return {"manager": manager, "admin_a": admin_a, "admin_b": admin_b, "a": a, "b": b}


def codes(qs) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.institution.code, p.code) for p in qs]


def test_the_public_list_is_published_programmes_only(world) -> None:  # type: ignore[no-untyped-def]
    assert codes(selectors.programmes_public()) == [("uni-a", "CS"), ("uni-b", "NUR")]
    assert codes(selectors.programmes_public(institution_code="uni-b")) == [("uni-b", "NUR")]
    assert codes(selectors.programmes_public(q="nurs")) == [("uni-b", "NUR")]
    assert codes(selectors.programmes_public(q="计算机")) == [("uni-a", "CS")]
    assert codes(selectors.programmes_public(q="职业技术")) == [("uni-b", "NUR")]  # the institution's name
    assert codes(selectors.programmes_public(q="电子商务")) == []  # a draft
    Institution.objects.filter(code="uni-b").update(active=False)
    assert codes(selectors.programmes_public()) == [("uni-a", "CS")]


def test_the_public_detail(world) -> None:  # type: ignore[no-untyped-def]
    assert selectors.programme_get_public("uni-a", "CS").name_zh == "计算机科学与技术"
    for code, programme in [("uni-a", "EC"), ("uni-a", "OLD"), ("uni-a", "NUR"), ("nowhere", "CS"), ("uni-a", "cs")]:
        with pytest.raises(NotFound):
            selectors.programme_get_public(code, programme)


def test_administrators_see_every_status_of_their_own_institution(world, make_learner) -> None:  # type: ignore[no-untyped-def]
    assert [p.code for p in selectors.programmes_for_admin(actor=world["admin_a"], code="uni-a")] == ["CS", "EC", "OLD"]
    assert [p.code for p in selectors.programmes_for_admin(actor=world["manager"], code="uni-b")] == ["NUR"]
    draft = selectors.programme_get_for_actor(actor=world["admin_a"], code="uni-a", programme_code="EC")
    assert draft.status == "draft"
    issuer = make_learner()
    member_add(actor=world["admin_a"], code="uni-a", account=issuer.email, role="issuer")
    for outsider in (world["admin_b"], issuer, make_learner()):
        with pytest.raises(NotFound):
            selectors.programmes_for_admin(actor=outsider, code="uni-a")
        with pytest.raises(NotFound):
            selectors.programme_get_for_actor(actor=outsider, code="uni-a", programme_code="EC")
    with pytest.raises(NotFound):  # another institution's programme through one's own path
        selectors.programme_get_for_actor(actor=world["admin_b"], code="uni-b", programme_code="CS")


def test_the_lookups_for_conversion_rules(world) -> None:  # type: ignore[no-untyped-def]
    found = selectors.programme_lookup("uni-a", "CS")
    assert found is not None and (found.institution.code, found.code, found.status) == ("uni-a", "CS", "published")
    for institution, programme in [("uni-a", "EC"), ("uni-a", "OLD"), ("uni-b", "CS"), ("nowhere", "CS")]:
        assert selectors.programme_lookup(institution, programme) is None
    course = selectors.course_lookup("uni-a", "CS", "MATH101")
    assert course is not None and (course.programme.code, course.code, course.name_zh) == (
        "CS",
        "MATH101",
        "高等数学 A",
    )
    assert selectors.course_lookup("uni-a", "EC", "MATH101") is None  # a draft's course
    assert selectors.course_lookup("uni-a", "OLD", "MATH101") is None  # a retired programme's
    assert selectors.course_lookup("uni-a", "CS", "NOPE") is None
    course_deactivate(actor=world["admin_a"], code="uni-a", programme_code="CS", course_code="MATH101")
    assert selectors.course_lookup("uni-a", "CS", "MATH101") is None
    Institution.objects.filter(code="uni-b").update(active=False)
    assert selectors.programme_lookup("uni-b", "NUR") is None
    assert selectors.course_lookup("uni-b", "NUR", "N1") is None


def test_programmes_with_their_active_courses_prefetched(world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    course_deactivate(actor=world["admin_a"], code="uni-a", programme_code="CS", course_code="ENG101")
    with django_assert_num_queries(2):
        got = [(p.code, [c.code for c in p.courses.all()]) for p in selectors.programmes_with_courses(None)]
    assert got == [("CS", ["MATH101"]), ("NUR", ["N1"])]
    assert [p.code for p in selectors.programmes_with_courses(["uni-b"])] == ["NUR"]
    assert [p.code for p in selectors.programmes_with_courses(iter(["uni-a", "uni-b"]))] == ["CS", "NUR"]
    assert list(selectors.programmes_with_courses([])) == []
