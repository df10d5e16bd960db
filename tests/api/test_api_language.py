"""Answers in Chinese are Chinese: every message goes through gettext, none of pydantic's English
leaks, messages address the person who reads them, and Chinese uses the full-width colon.

New messages get their Chinese in the .po files after review; until then ``catalog`` stands in
for them: a translation catalog placed before the project's, which only shows anything if the
message really passes through gettext.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from conftest import Api, make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.identity.labels import CHECK_LABELS
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.specimens import card_back
from creditbank.profiles.models import ChangeRequest
from tests.factories import PendingLearnerFactory

ROOT = Path(__file__).resolve().parents[2]
HEADER = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n"


@pytest.fixture
def catalog(settings: Any, tmp_path: Path) -> Callable[[dict[str, str]], None]:
    """Install a Simplified Chinese catalog (msgid -> msgstr) ahead of the project's."""
    import runpy

    write_mo = runpy.run_path(str(ROOT / "scripts" / "compile_messages.py"))["write_mo"]

    def install(entries: dict[str, str]) -> None:
        folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        write_mo({"": HEADER, **entries}, folder / "django.mo")
        settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]  # resets Django's catalog cache

    return install


def tr(msgid: str, lang: str = "zh-hans") -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


def post_json(client: Client, path: str, data: Any, **headers: str) -> Any:
    return client.post(path, data=json.dumps(data), content_type="application/json", headers=headers)


def test_a_reviewer_asking_for_a_missing_verification_is_answered_in_chinese(make_learner) -> None:  # type: ignore[no-untyped-def]
    staff = Api(Client())
    staff.login(make_reviewer_user().email)
    missing = staff.get("/api/v1/review/verifications/999999")
    assert missing.status_code == 404
    assert missing.json()["detail"] == tr("No such verification.") == "该实名认证记录不存在。"
    learner = Api(Client())
    learner.login(make_learner().email)
    assert learner.get("/api/v1/review/verifications/999999").json()["detail"] == "该实名认证记录不存在。"
    english = staff.get("/api/v1/review/verifications/999999", headers={"Accept-Language": "en"})
    assert english.json()["detail"] == "No such verification."


def test_schema_errors_are_messages_of_our_own_not_pydantics(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = post_json(
        client,
        "/api/v1/auth/register",
        {"name": 1, "id_number": [], "phone": "13800000000", "email": "a@example.com", "password": "x" * 12,
         "accept_terms": "perhaps", "terms_version": "2026-01"},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == {
        "name": [tr("Enter text (a string).")],
        "id_number": [tr("Enter text (a string).")],
        "accept_terms": [tr("Use true or false.")],
    }
    path = client.get("/api/v1/notices/abc").json()
    assert path["errors"] == {"notice_id": [tr("Enter a whole number.")]}
    assert tr("Enter a whole number.") != "Enter a whole number."  # Django's catalog already has it
    assert "Input should be" not in json.dumps(body) + json.dumps(path)


def test_schema_errors_pass_through_gettext(db, catalog) -> None:  # type: ignore[no-untyped-def]
    catalog({"Enter text (a string).": "请输入文本。", "Use true or false.": "请填写 true 或 false。",
             "Bad Request": "请求有误"})  # fmt: skip
    response = post_json(
        Client(),
        "/api/v1/auth/register",
        {"name": 1, "id_number": "x", "phone": "13800000000", "email": "a@example.com", "password": "x" * 12,
         "accept_terms": "perhaps", "terms_version": "2026-01"},
    )  # fmt: skip
    body = response.json()
    assert body["title"] == "请求有误"
    assert body["errors"] == {"name": ["请输入文本。"], "accept_terms": ["请填写 true 或 false。"]}
    english = post_json(
        Client(),
        "/api/v1/auth/register",
        {"name": 1, "id_number": "x", "phone": "1", "email": "a", "password": "x", "accept_terms": True,
         "terms_version": "2026-01"},
        **{"Accept-Language": "en"},
    )  # fmt: skip
    assert english.json()["title"] == "Bad Request"
    assert english.json()["errors"] == {"name": ["Enter text (a string)."]}


def test_limits_in_schema_errors_are_filled_in(make_learner, catalog) -> None:  # type: ignore[no-untyped-def]
    from creditbank.kernel.problems import validation_message

    catalog({"Enter at most %(max_length)s characters.": "最多输入 %(max_length)s 个字符。"})
    with translation.override("zh-hans"):
        too_long = validation_message({"type": "string_too_long", "ctx": {"max_length": 200}})
        unknown = validation_message({"type": "something_new", "msg": "Some English"})
    assert too_long == "最多输入 200 个字符。"
    assert unknown == "取值无效。"


def test_problem_titles_are_translated(make_learner, catalog) -> None:  # type: ignore[no-untyped-def]
    catalog({"Not Found": "未找到", "Unauthorized": "未登录"})
    assert Client().get("/api/v1/notices/999999").json()["title"] == "未找到"
    assert Client().get("/api/v1/me").json()["title"] == "未登录"
    assert Client().get("/api/v1/me", headers={"Accept-Language": "en"}).json()["title"] == "Unauthorized"


def test_reviewers_are_not_told_about_your_name(db) -> None:  # type: ignore[no-untyped-def]
    """The check labels are read by reviewers as much as by learners: they name no 'you'."""
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            labels = [str(label) for label in CHECK_LABELS.values()]
        assert not [label for label in labels if re.search(r"\byour?\b|您|你", label, re.I)], lang
    learner = PendingLearnerFactory()
    staff = Client()
    staff.force_login(make_reviewer_user())
    attempt = VerificationAttempt.objects.get(user=learner)
    for page in (staff.get("/review/verifications/"), staff.get(f"/review/verifications/{attempt.pk}/")):
        html = page.content.decode()
        assert tr("Card text matches your name and ID number") not in html
        assert "your name" not in html


def test_check_details_in_the_reviewers_api_are_translated(db) -> None:  # type: ignore[no-untyped-def]
    PendingLearnerFactory()
    staff = Api(Client())
    staff.login(make_reviewer_user().email)
    item = staff.get("/api/v1/review/verifications").json()["items"][0]
    details = {c["name"]: c["detail"] for c in item["checks"]}
    assert details["ocr_match"] == tr("Switched off by the deployment's policy.") == "已按本平台政策关闭。"


def test_chinese_lines_use_the_full_width_colon(make_learner, catalog) -> None:  # type: ignore[no-untyped-def]
    catalog({"%(field)s: %(old)s → %(new)s": "%(field)s：%(old)s → %(new)s"})
    PendingLearnerFactory()
    staff = Client()
    staff.force_login(make_reviewer_user())
    queue = staff.get("/review/verifications/").content.decode()
    lines = re.findall(r'<ul class="checks">(.*?)</ul>', queue, re.S)[0]
    items = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li[^>]*>(.*?)</li>", lines, re.S)]
    assert items
    assert all("：" in item and ": " not in item for item in items), items

    verified = make_learner(AccountStatus.VERIFIED)
    from creditbank.profiles.services import change_request_create

    change_request_create(
        user=verified,
        field="name",
        new_value="李四",
        reason="改名",
        proofs=[SimpleUploadedFile("p.jpg", card_back(seed=2), content_type="image/jpeg")],
    )
    assert ChangeRequest.objects.count() == 1
    own = Client()
    own.force_login(verified)
    profile = own.get("/profile/").content.decode()
    pending = re.search(r'<ul data-testid="pending-changes"><li>(.*?)</li>', profile, re.S)
    assert pending, "no pending change listed"
    assert pending.group(1) == f"{tr('Name')}：{verified.name} → 李四"
