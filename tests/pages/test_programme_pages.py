"""The programme pages: an institution's administrators add programmes and courses (a bad value's
message next to its field, nothing stored), edit, publish and retire; anyone reads the published
ones at /programmes/."""

from __future__ import annotations

import re
from decimal import Decimal

from django.test import Client

from creditbank.institutions.models import Course, Programme
from creditbank.institutions.services import member_add
from creditbank.institutions.tests.factories import make_institution, make_programme
from tests.pages.html_tables import table_rows


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def field_errors(html: str, field_id: str) -> list[str]:
    """The messages shown next to the field ``field_id`` (its errors list)."""
    found = re.search(rf'<ul class="errors" id="{field_id}_errors" role="alert">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


PROGRAMME = {
    "code": "CS",
    "name_zh": "计算机科学与技术",
    "name_en": "Computer Science",
    "total_credits": "160",
    "level": "6",
}
COURSE = {"action": "save_course", "course-course": "", "course-code": "MATH101", "course-name_zh": "高等数学 A",
          "course-name_en": "Calculus A", "course-credits": "5", "course-level": ""}  # fmt: skip


def test_the_manage_page_leads_to_the_programmes(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    make_institution("uni-a", admin=admin)
    html = signed_in(admin).get("/institutions/uni-a/manage/").content.decode()
    assert 'href="/institutions/uni-a/programmes/" data-testid="programmes-link"' in html


def test_adding_a_programme_with_a_bad_value_shows_the_message_next_to_the_field(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    make_institution("uni-a", admin=admin)
    page = signed_in(admin)
    shown = page.get("/institutions/uni-a/programmes/")
    assert shown.status_code == 200 and "还没有专业" in shown.content.decode()  # the next step, in Chinese first
    refused = page.post("/institutions/uni-a/programmes/", {**PROGRAMME, "total_credits": "0", "code": "CS/1"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert field_errors(html, "id_total_credits") == [
        "请输入毕业所需学分：大于 0 且不超过 1000 的数字，最多两位小数（例如 160）。"
    ]
    assert len(field_errors(html, "id_code")) == 1
    assert field_errors(html, "id_name_zh") == []
    assert not Programme.objects.exists()
    english = page.post(
        "/institutions/uni-a/programmes/", {**PROGRAMME, "total_credits": "abc"}, headers={"Accept-Language": "en"}
    )
    assert field_errors(english.content.decode(), "id_total_credits") == [
        "Enter the credits required to graduate as a number greater than 0 and at most 1000, with at most two "
        "decimal places (for example 160)."
    ]
    added = page.post("/institutions/uni-a/programmes/", PROGRAMME)
    assert (added.status_code, added["Location"]) == (302, "/institutions/uni-a/programmes/CS/")
    made = Programme.objects.get()
    assert (made.code, made.total_credits, made.level, made.status) == ("CS", Decimal("160.00"), 6, "draft")
    taken = page.post("/institutions/uni-a/programmes/", PROGRAMME)
    assert taken.status_code == 400 and len(field_errors(taken.content.decode(), "id_code")) == 1
    assert [
        row[0] for row in table_rows(page.get("/institutions/uni-a/programmes/").content.decode(), "programmes")[1:]
    ] == ["CS"]


def test_adding_and_editing_courses_then_publishing_and_retiring(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    make_institution("uni-a", admin=admin)
    page = signed_in(admin)
    page.post("/institutions/uni-a/programmes/", PROGRAMME)
    url = "/institutions/uni-a/programmes/CS/"
    shown = page.get(url).content.decode()
    assert 'data-testid="programme-next-step"' in shown and "草稿" in shown
    refused = page.post(url, {**COURSE, "course-credits": "301"})
    assert refused.status_code == 400
    assert field_errors(refused.content.decode(), "id_course-credits") == [
        "请输入课程学分：大于 0 且不超过 300 的数字，最多两位小数（例如 4.5）。"
    ]
    assert not Course.objects.exists()
    assert page.post(url, COURSE).status_code == 302
    twice = page.post(url, COURSE)
    assert twice.status_code == 400 and len(field_errors(twice.content.decode(), "id_course-code")) == 1
    assert page.post(url, {"action": "publish"}).status_code == 302
    assert Programme.objects.get().status == "published"
    editing = page.get(url, {"course": "MATH101"}).content.decode()
    assert 'name="course-course" value="MATH101"' in editing and "disabled" in editing  # the code is fixed now
    saved = page.post(url, {**COURSE, "course-course": "MATH101", "course-code": "", "course-credits": "6"})
    assert saved.status_code == 302
    course = Course.objects.get()
    assert (course.code, course.credits) == ("MATH101", Decimal("6.00"))
    assert page.post(url, {"action": "deactivate_course", "course": "MATH101"}).status_code == 302
    assert Course.objects.get().active is False
    renamed = page.post(
        url, {"action": "save_programme", "name_zh": "计算机科学", "name_en": "", "total_credits": "155"}
    )
    assert renamed.status_code == 302
    assert Programme.objects.values_list("name_zh", "total_credits").get() == ("计算机科学", Decimal("155.00"))
    assert page.post(url, {"action": "retire"}).status_code == 302
    retired = page.get(url).content.decode()
    assert 'data-testid="course-form"' not in retired and Programme.objects.get().status == "retired"
    again = page.post(url, {"action": "retire"}, follow=True)
    assert "该专业已停用，不能再修改。" in again.content.decode()  # the refusal, as a message on the page


def test_others_get_the_404_page(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_a, admin_b, issuer = make_learner(), make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a)
    make_institution("uni-b", admin=admin_b)
    make_programme(a, admin=admin_a, publish=False)
    member_add(actor=admin_a, code="uni-a", account=issuer.email, role="issuer")
    for outsider in (admin_b, issuer):
        page = signed_in(outsider)
        assert page.get("/institutions/uni-a/programmes/").status_code == 404
        assert page.get("/institutions/uni-a/programmes/CS/").status_code == 404
        assert page.post("/institutions/uni-a/programmes/CS/", {"action": "publish"}).status_code == 404
    assert Programme.objects.get().status == "draft"
    assert Client().get("/institutions/uni-a/programmes/").status_code == 302  # to the login page


def test_the_public_pages(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_a, admin_b = make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a)
    b = make_institution("uni-b", admin=admin_b)
    make_programme(a, admin=admin_a)
    make_programme(b, admin=admin_b, code="NUR", name_zh="护理", name_en="Nursing")
    make_programme(b, admin=admin_b, code="DRAFT", publish=False, name_zh="草稿")
    visitor = Client()
    listing = visitor.get("/programmes/")
    assert listing.status_code == 200
    assert [row[1] for row in table_rows(listing.content.decode(), "programmes")[1:]] == ["计算机科学与技术", "护理"]
    assert [
        row[1]
        for row in table_rows(visitor.get("/programmes/", {"institution": "uni-b"}).content.decode(), "programmes")[1:]
    ] == ["护理"]
    assert [
        row[1] for row in table_rows(visitor.get("/programmes/", {"q": "nurs"}).content.decode(), "programmes")[1:]
    ] == ["护理"]
    detail = visitor.get("/programmes/uni-a/CS/")
    assert detail.status_code == 200
    assert [row[:3] for row in table_rows(detail.content.decode(), "courses")[1:]] == [
        ["ENG101", "大学英语 I", "4.00"], ["MATH101", "高等数学 A", "5.00"],
    ]  # fmt: skip
    assert visitor.get("/programmes/uni-b/DRAFT/").status_code == 404
    english = visitor.get("/programmes/uni-b/NUR/", headers={"Accept-Language": "en"}).content.decode()
    assert "Nursing" in english
