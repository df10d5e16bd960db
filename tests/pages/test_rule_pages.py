"""The conversion rule pages: the public catalogue (search, each rule in plain language in both
languages, a verified learner's check of their outcomes and the form to apply), and the authors'
page (a bad value's message next to its input and nothing written, the preview's trace, save,
publish, new version, retire)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from creditbank.rules.models import ConversionRule
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule, make_rules_editor
from tests.factories import LearnerFactory, VerifiedLearnerFactory
from tests.pages.html_tables import table_rows

pytestmark = pytest.mark.django_db


def _year() -> str:
    today = timezone.localdate()
    first = today.year if today.month >= 9 else today.year - 1
    return f"{first}–{first + 1}"


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def field_errors(html: str, field_id: str) -> list[str]:
    found = re.search(rf'<ul class="errors" id="{field_id}_errors" role="alert">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def items(html: str, testid: str) -> list[str]:
    """The text of each <li> of the list ``data-testid=testid``."""
    found = re.search(rf'<(?:ul|ol)[^>]*data-testid="{testid}"[^>]*>(.*?)</(?:ul|ol)>', html, re.S)
    assert found, testid
    return [" ".join(re.sub(r"<[^>]+>", "", li).split()) for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


MOOC = {
    "code": "MOOC-PY",
    "target": {"institution": "uni-a", "programme": "CS", "course": None},
    "criteria": {"combine": "any_of", "requirements": [{"types": ["mooc"], "min_credits": "1.00"}]},
    "grants": {"mode": "ratio", "ratio": "0.5", "step": "0.50"},
    "caps": {"programme_total": "6.00"},
    "requires_review": True,
}


def catalogue() -> tuple[Any, ConversionRule, ConversionRule]:
    school = make_programme_school()
    cet = make_rule(actor=school.admin)
    mooc = make_rule(actor=school.admin, **MOOC)
    return school, cet, mooc


def codes(html: str) -> list[str]:
    """The rule codes listed, in order."""
    return re.findall(r'<a href="/rules/[0-9]+/">([^<]+)</a>', html)


def test_the_catalogue_searches_by_code_type_institution_and_text() -> None:
    school, _cet, _mooc = catalogue()
    page = Client()
    html = page.get("/rules/").content.decode()
    assert codes(html) == ["CET4-ENG1", "MOOC-PY"]
    rows = table_rows(html, "rules")
    assert rows[1] == [
        "uni-a 大学 · CS 计算机科学与技术 · 课程 ENG1 大学英语",
        "CET4-ENG1 持有以下任一成果：职业资格证书，代码 CET4，取得不超过 60 个月且未过期 → 授予 4.00 学分，免修课程 大学英语（ENG1）。",
        "自动",
        "v1 · 2020-01-01",
    ]
    assert rows[2][2] == "人工审核"
    assert codes(page.get("/rules/", {"code": "cet4"}).content.decode()) == ["CET4-ENG1"]
    assert codes(page.get("/rules/", {"type": "mooc"}).content.decode()) == ["MOOC-PY"]
    assert codes(page.get("/rules/", {"q": "mooc"}).content.decode()) == ["MOOC-PY"]
    assert codes(page.get("/rules/", {"institution": "uni-a", "programme": "CS"}).content.decode()) == [
        "CET4-ENG1",
        "MOOC-PY",
    ]
    nothing = page.get("/rules/", {"programme": "ACC"}).content.decode()
    assert codes(nothing) == [] and "没有符合条件的已发布规则" in nothing
    # an unknown type is no filter, not an error
    assert codes(page.get("/rules/", {"type": "nonsense"}).content.decode()) == ["CET4-ENG1", "MOOC-PY"]
    # a draft is not public
    make_rule(actor=school.admin, publish=False, code="DRAFT-1")
    assert codes(page.get("/rules/").content.decode()) == ["CET4-ENG1", "MOOC-PY"]


def test_the_rules_and_the_standards_link_to_each_other() -> None:
    page = Client()
    assert 'href="/standards/" data-testid="standards-link"' in page.get("/rules/").content.decode()
    standards = page.get("/standards/").content.decode()
    assert 'href="/rules/" data-testid="rules-link"' in standards
    assert '<a href="/rules/">转换规则</a></footer>' in standards


def test_a_rule_in_plain_language_in_chinese_and_in_english() -> None:
    school, cet, _mooc = catalogue()
    page = Client()
    zh = page.get(f"/rules/{cet.pk}/")
    assert zh.status_code == 200
    html = zh.content.decode()
    assert items(html, "rule-description") == [
        "持有以下任一成果：职业资格证书，代码 CET4，取得不超过 60 个月且未过期 → 授予 4.00 学分，免修课程 大学英语（ENG1）。",
        "每学年最多 10.00 学分。",
        "符合条件即自动授予，无需人工审核。",
        "适用于 uni-a 大学（uni-a）计算机科学与技术（CS）专业的 大学英语（ENG1）课程，自 2020-01-01 起有效，未设截止日期。",
    ]
    assert f'<code data-testid="rule-hash">{cet.hash}</code>' in html
    assert "登录已完成实名认证的账户" in html  # the next step for a visitor
    en = page.get(f"/rules/{cet.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert items(en, "rule-description") == [
        "Any one of: a vocational certificate with code CET4, achieved within the last 60 months and not expired → "
        "grants 4.00 credits, exempts course College English (ENG1).",
        "At most 10.00 credits per academic year.",
        "Granted automatically when the conditions are met.",
        "For course College English (ENG1) of programme Computer Science (CS) at uni-a University (uni-a), in force "
        "from 2020-01-01 with no end date.",
    ]
    assert page.get(f"/rules/{cet.pk + 100}/").status_code == 404
    draft = make_rule(actor=school.admin, publish=False, code="DRAFT-1")
    assert page.get(f"/rules/{draft.pk}/").status_code == 404


def test_a_verified_learner_checks_their_outcomes_and_is_offered_the_apply_form() -> None:
    school, cet, mooc = catalogue()
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1")
    page = signed_in(learner)
    html = page.get(f"/rules/{cet.pk}/").content.decode()
    assert "符合条件：4.00 学分。 免修课程 大学英语（ENG1）。" in html
    trace = items(html, "trace")
    assert trace[0] == f"规则自 2020-01-01 起有效，未设截止日期；申请日 {timezone.localdate().isoformat()} ✓"
    assert trace[1:3] == [
        f"成果 #{oid}：类型 职业资格证书，要求 职业资格证书 ✓",
        f"成果 #{oid}：代码 CET4，要求 CET4 ✓",
    ]
    assert trace[-2:] == [
        "固定授予 4.00 学分 ✓",
        f"每学年最多 10.00 学分：{_year()} 学年已用 0.00 学分 ✓",
    ]
    assert f'<form method="post" action="/conversions/apply/{cet.pk}/" data-testid="apply-form">' in html
    assert f'name="outcome_ids" value="{oid}" checked' in html
    refused = page.get(f"/rules/{mooc.pk}/").content.decode()
    assert "<strong>不符合条件。</strong> 所选成果不符合本规则的条件。" in refused
    assert items(refused, "trace")[-2:] == [
        f"成果 #{oid}：2.00 学分，要求不少于 1.00 学分 ✓",
        "没有成果满足任何一项要求 ✗",
    ]
    # an account not yet verified is told what is missing
    activated = signed_in(LearnerFactory())
    told = activated.get(f"/rules/{cet.pk}/").content.decode()
    assert "实名认证" in told and "apply-form" not in told


# --- authors ---------------------------------------------------------------------------------

FORM = {
    "code": "CET4-ENG1", "programme": "CS", "course": "ENG1", "r0_types": ["vocational_certificate"],
    "r0_codes": "CET4, cet6", "r0_result_scheme": "percentage", "r0_result_value": "60", "r0_not_expired": "on",
    "combine": "any_of", "grant_mode": "fixed", "grant_credits": "4", "exempts_course": "on",
    "cap_per_academic_year": "10", "valid_from": "2020-01-01",
}  # fmt: skip
SAMPLE = {"sample_type": "vocational_certificate", "sample_code": "CET4", "sample_issuer": "uni-b",
          "sample_achieved_on": "2024-06-20", "sample_credits": "2", "sample_result_scheme": "percentage",
          "sample_result_value": "72"}  # fmt: skip


def test_the_manage_page_leads_to_the_rules() -> None:
    school = make_programme_school()
    html = signed_in(school.admin).get("/institutions/uni-a/manage/").content.decode()
    assert 'href="/institutions/uni-a/rules/" data-testid="rules-link"' in html


def test_only_authors_see_the_authors_page() -> None:
    school = make_programme_school()
    assert signed_in(school.reviewer).get("/institutions/uni-a/rules/").status_code == 404
    assert signed_in(make_rules_editor()).get("/institutions/uni-a/rules/").status_code == 200
    assert Client().get("/institutions/uni-a/rules/").status_code == 302


def test_a_bad_value_shows_its_message_next_to_the_field_and_writes_nothing() -> None:
    school = make_programme_school()
    page = signed_in(school.admin)
    shown = page.get("/institutions/uni-a/rules/").content.decode()
    assert "还没有规则" in shown and 'data-testid="rule-form"' in shown
    refused = page.post("/institutions/uni-a/rules/", {**FORM, "r1_min_credits": "abc", "action": "save"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert field_errors(html, "id_r1_min_credits") == ["学分须大于 0 且不超过 300，最多两位小数。"]
    assert field_errors(html, "id_r0_codes") == []
    assert not ConversionRule.objects.exists()
    english = page.post(
        "/institutions/uni-a/rules/", {**FORM, "r0_result_value": "excellent!", "action": "save"},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert field_errors(english.content.decode(), "id_r0_result_value") == [
        "A result in the chosen scheme: 0–100, 优/良/中/及格/不及格, pass or fail, or a GPA from 0.00 to 4.00."
    ]
    ratio = page.post("/institutions/uni-a/rules/", {**FORM, "grant_mode": "ratio", "grant_ratio": "1.5"})
    assert field_errors(ratio.content.decode(), "id_grant_ratio") == [
        "比例须大于 0 且不超过 1，例如 0.5（最多四位小数）。"
    ]
    level = page.post("/institutions/uni-a/rules/", {**FORM, "r2_min_level": "11"})
    assert field_errors(level.content.decode(), "id_r2_min_level") == ["确保该值小于或等于10。"]
    at_least = page.post("/institutions/uni-a/rules/", {**FORM, "combine": "at_least", "n": "2"})
    assert len(field_errors(at_least.content.decode(), "id_n")) == 1
    assert not ConversionRule.objects.exists()


def test_preview_shows_the_trace_and_writes_nothing() -> None:
    school = make_programme_school()
    page = signed_in(school.admin)
    shown = page.post("/institutions/uni-a/rules/", {**FORM, **SAMPLE, "action": "preview"})
    assert shown.status_code == 200
    html = shown.content.decode()
    assert items(html, "preview-description")[0] == (
        "持有以下任一成果：职业资格证书，代码 CET4 或 CET6，成绩不低于 60.00（百分制），未过期 → 授予 4.00 学分，"
        "免修课程 大学英语（ENG1）。"
    )
    assert "符合条件：4.00 学分。" in html
    assert "成果 #1：成绩 72.00（百分制），要求不低于 60.00（百分制） ✓" in items(html, "trace")
    low = page.post("/institutions/uni-a/rules/", {**FORM, **SAMPLE, "sample_result_value": "50", "action": "preview"})
    assert "成果 #1：成绩 50.00（百分制），要求不低于 60.00（百分制） ✗" in items(low.content.decode(), "trace")
    bad_sample = page.post("/institutions/uni-a/rules/", {**FORM, **SAMPLE, "sample_credits": "x", "action": "preview"})
    assert bad_sample.status_code == 400
    assert len(field_errors(bad_sample.content.decode(), "id_sample_credits")) == 1
    assert not ConversionRule.objects.exists()


def test_save_publish_new_version_and_retire() -> None:
    school = make_programme_school()
    page = signed_in(school.admin)
    saved = page.post("/institutions/uni-a/rules/", {**FORM, "action": "save"})
    rule = ConversionRule.objects.get()
    assert (saved.status_code, saved["Location"]) == (302, f"/institutions/uni-a/rules/{rule.pk}/")
    assert (rule.code, rule.status, rule.programme_code, rule.course_code) == ("CET4-ENG1", "draft", "CS", "ENG1")
    assert rule.definition["criteria"]["requirements"][0]["codes"] == ["CET4", "CET6"]
    edit = page.get(f"/institutions/uni-a/rules/{rule.pk}/").content.decode()
    assert 'value="CET4, CET6"' in edit and 'data-testid="publish"' in edit
    changed = page.post(f"/institutions/uni-a/rules/{rule.pk}/", {**FORM, "grant_credits": "3", "action": "save"})
    assert changed.status_code == 302
    rule.refresh_from_db()
    assert rule.definition["grants"]["credits"] == "3.00"
    published = page.post(f"/institutions/uni-a/rules/{rule.pk}/", {**FORM, "grant_credits": "3", "action": "publish"})
    assert published.status_code == 302
    rule.refresh_from_db()
    assert rule.status == "published" and len(rule.hash) == 64
    listed = table_rows(page.get("/institutions/uni-a/rules/").content.decode(), "editor-rules")
    assert listed[1] == ["CET4-ENG1", "CS · ENG1", "v1 · 2020-01-01", "已发布"]
    revised = page.post(f"/institutions/uni-a/rules/{rule.pk}/", {"action": "revise"})
    draft = ConversionRule.objects.get(version=2)
    assert revised["Location"] == f"/institutions/uni-a/rules/{draft.pk}/"
    assert draft.status == "draft" and draft.definition == rule.definition
    retired = page.post(f"/institutions/uni-a/rules/{rule.pk}/", {"action": "retire"})
    assert retired.status_code == 302
    rule.refresh_from_db()
    assert rule.status == "retired"
    again = page.post(f"/institutions/uni-a/rules/{rule.pk}/", {"action": "retire"}, follow=True)
    assert '<li class="msg-error">只有已发布的版本才能停用。</li>' in again.content.decode()


def test_authors_import_rules_from_a_json_file(db: Any) -> None:
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from creditbank.rules.tests.factories import rule_body

    school = make_programme_school()
    client = Client()
    client.force_login(school.admin)
    url = "/institutions/uni-a/rules/import/"
    rows = [rule_body(code="F1"), rule_body(code="F2", grants={"mode": "ratio", "ratio": "3"})]
    good = SimpleUploadedFile("rules.json", json.dumps(rows).encode(), content_type="application/json")
    page = client.post(url, {"file": good, "publish": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 rule created." in html and "1 row refused." in html and "grants.ratio" in html
    assert list(ConversionRule.objects.values_list("code", "status")) == [("F1", "published")]
    broken = SimpleUploadedFile("rules.json", b"[{", content_type="application/json")
    refused = client.post(url, {"file": broken}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "The file is not JSON in UTF-8." in refused.content.decode()
    assert ConversionRule.objects.count() == 1
    outsider = Client()
    outsider.force_login(make_programme_school("uni-b").admin)
    assert outsider.get(url).status_code == 404
