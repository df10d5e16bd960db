"""Bulk account opening in a real browser: an institution's administrator uploads a file of
students from the institution's page, reads the report, downloads the result file once, and a
student logs in with the initial password and is made to set their own."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from creditbank.accounts.models import User
from creditbank.accounts.services import user_reveal_pii
from creditbank.institutions.tests.factories import make_institution, student, students_file
from tests.browser.conftest import log_in, log_out, shot, switch_language

pytestmark = pytest.mark.browser


def test_upload_report_download_once_and_the_first_login(
    page: Any, live_server: Any, make_learner: Any, tmp_path: Path
) -> None:
    admin = make_learner(name="周敏")
    make_institution("uni-a", admin=admin)
    existing = make_learner(name="陈静")
    new = student("王芳")
    rows = [
        new,
        {
            "name": "陈静",
            "id_number": user_reveal_pii(user=existing, fields=("id_number",))["id_number"],
            "phone": "13700000994",
        },
        student('=HYPERLINK("http://evil.example","点我")'),
    ]
    path = tmp_path / "三年级学生.csv"
    path.write_bytes(students_file(rows).read())

    log_in(page, admin.email)
    page.goto("/institutions/uni-a/manage/")
    with page.expect_navigation():
        page.locator("[data-testid=openings-link]").click()
    form = page.locator("[data-testid=opening-form]")

    # nothing chosen: the error is next to the file field
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#id_file_errors")).to_have_text("请选择要上传的学生名单文件。")

    page.locator("[data-testid=opening-form] input[name=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("[data-testid=opening-form] button[type=submit]").click()
    expect(page.locator("[data-testid=opening-status]")).to_have_attribute("data-status", "done")
    expect(page.locator("[data-count=created]")).to_have_text("1")
    expect(page.locator("[data-count=linked]")).to_have_text("1")
    expect(page.locator("[data-count=errors]")).to_have_text("1")
    statuses = page.locator("[data-testid=report-row]")
    expect(statuses).to_have_count(3)
    assert [r.get_attribute("data-status") for r in statuses.all()] == ["created", "linked", "error"]
    expect(page.locator("[data-testid=report-row][data-row='4']")).to_contain_text("name_invalid_characters")
    shot(page, "account-opening-report")
    switch_language(page, "en")
    expect(page.locator("[data-testid=opening-counts]")).to_contain_text("Accounts opened:")
    shot(page, "account-opening-report")
    switch_language(page, "zh-hans")

    with page.expect_download() as download_info:
        page.locator("[data-testid=download-result]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("accounts-uni-a-") and download.suggested_filename.endswith(".csv")
    lines = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert [line[3] for line in lines[1:]] == ["created", "linked", "error"]
    assert lines[3][1] == '\'=HYPERLINK("http://evil.example","点我")'  # neutralised, never a formula
    password = lines[1][6]
    assert lines[2][5:7] == ["", ""]  # a linked row tells nothing more
    page.reload()
    expect(page.locator("[data-testid=result-gone]")).to_be_visible()
    expect(page.locator("[data-testid=download-result]")).to_have_count(0)
    log_out(page)

    # the student: ID number and initial password, then a password of their own
    page.goto("/accounts/login/")
    page.fill("#id_identifier", new["id_number"])
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/password/set/")
    page.goto("/profile/")
    assert page.url.endswith("/accounts/password/set/")  # nothing else until the password is changed
    page.fill("#id_new_password", PASSWORD + " of my own")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-testid=account-state]")).to_be_visible()
    assert not User.objects.get(name="王芳").must_change_password
    page.goto("/profile/")
    assert page.url.endswith("/profile/")
