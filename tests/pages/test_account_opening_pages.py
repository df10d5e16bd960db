"""The account-opening pages: upload with errors next to the file field, the report while it runs
and when it is done, the one-time result download, the templates; both languages; other
institutions' staff and members in other roles get the 404 page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from creditbank.accounts.models import User
from creditbank.institutions.models import AccountOpening, Membership
from creditbank.institutions.services import account_opening_upload
from creditbank.institutions.tests.factories import make_institution, make_manager, student, students_file


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def admin(make_learner):  # type: ignore[no-untyped-def]
    user = make_learner()
    make_institution("uni-a", admin=user)
    return user


def test_the_manage_page_leads_to_account_opening(admin) -> None:  # type: ignore[no-untyped-def]
    html = signed_in(admin).get("/institutions/uni-a/manage/").content.decode()
    assert 'href="/institutions/uni-a/accounts/"' in html and "为学生批量开户" in html


def test_the_upload_page_with_templates_and_errors_next_to_the_field(admin) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(admin)
    shown = page.get("/institutions/uni-a/accounts/")
    assert shown.status_code == 200
    html = shown.content.decode()
    assert 'data-testid="opening-form"' in html and 'enctype="multipart/form-data"' in html
    assert html.count("/institutions/uni-a/accounts/template/?format=") == 4
    assert "还没有上传文件" in html

    missing = page.post("/institutions/uni-a/accounts/", {})
    assert missing.status_code == 400
    assert 'id="id_file_errors"' in missing.content.decode()
    assert "请选择要上传的学生名单文件。" in missing.content.decode()
    gbk = SimpleUploadedFile("s.csv", "姓名,身份证号,手机号\r\n张三,1,2\r\n".encode("gbk"))
    refused = page.post("/institutions/uni-a/accounts/", {"file": gbk})
    assert refused.status_code == 400
    html = refused.content.decode()
    errors = html[html.index('id="id_file_errors"') :]
    assert "文件不是 UTF-8 编码" in errors[: errors.index("</ul>")]
    assert AccountOpening.objects.count() == 0


def test_upload_report_and_the_one_time_download(admin, make_learner, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(admin)
    rows = [student("王芳"), student("李雷", phone="12")]
    with django_capture_on_commit_callbacks(execute=True):
        posted = page.post("/institutions/uni-a/accounts/", {"file": students_file(rows)})
    opening = AccountOpening.objects.get()
    assert (posted.status_code, posted.url) == (302, f"/institutions/uni-a/accounts/{opening.pk}/")

    report = page.get(posted.url)
    html = report.content.decode()
    assert 'data-status="done"' in html and 'http-equiv="refresh"' not in html
    assert '<strong data-count="created">1</strong>' in html and '<strong data-count="errors">1</strong>' in html
    assert html.count('data-testid="report-row"') == 2
    assert 'data-row="3" data-status="error"' in html and "phone_invalid" in html
    assert 'data-testid="download-result"' in html
    errors_only = page.get(posted.url + "?only=error").content.decode()
    assert errors_only.count('data-testid="report-row"') == 1

    download = page.post(f"/institutions/uni-a/accounts/{opening.pk}/result/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="accounts-uni-a-')
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert User.objects.get(name="王芳").check_password(lines[1][6])
    after = page.get(posted.url).content.decode()
    assert 'data-testid="result-gone"' in after and 'data-testid="download-result"' not in after
    again = page.post(f"/institutions/uni-a/accounts/{opening.pk}/result/")
    assert (again.status_code, again.url) == (302, posted.url)
    assert "结果文件已被下载或已过期" in page.get(posted.url).content.decode()

    listing = page.get("/institutions/uni-a/accounts/").content.decode()
    assert listing.count('data-testid="opening-row"') == 1


def test_a_running_opening_reloads_itself_and_speaks_english(admin) -> None:  # type: ignore[no-untyped-def]
    opening = account_opening_upload(caller=admin, code="uni-a", upload=students_file([student()]))  # not run
    html = (
        signed_in(admin)
        .get(f"/institutions/uni-a/accounts/{opening.pk}/", headers={"Accept-Language": "en"})
        .content.decode()
    )
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "Waiting to start" in html and "0 of 1 rows processed." in html
    assert 'data-testid="result"' not in html


def test_bank_staff_see_the_report_but_only_the_uploader_downloads(admin, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        opening = account_opening_upload(caller=admin, code="uni-a", upload=students_file([student()]))
    staff = signed_in(make_manager())
    html = staff.get(f"/institutions/uni-a/accounts/{opening.pk}/").content.decode()
    assert "只有上传该文件的人员或系统才能获取其中的初始密码。" in html
    refused = staff.post(f"/institutions/uni-a/accounts/{opening.pk}/result/")
    assert refused.status_code == 302
    assert AccountOpening.objects.get().result_downloaded_at is None


def test_others_get_the_404_page(admin, make_learner) -> None:  # type: ignore[no-untyped-def]
    opening = account_opening_upload(caller=admin, code="uni-a", upload=students_file([student()]))
    other_admin, issuer = make_learner(), make_learner()
    make_institution("uni-b", admin=other_admin)
    Membership.objects.create(user=issuer, institution=opening.institution, role="issuer")
    for who in (other_admin, issuer):
        page = signed_in(who)
        for response in (
            page.get("/institutions/uni-a/accounts/"),
            page.post("/institutions/uni-a/accounts/", {"file": students_file([student()])}),
            page.get(f"/institutions/uni-a/accounts/{opening.pk}/"),
            page.get(f"/institutions/uni-b/accounts/{opening.pk}/"),
            page.post(f"/institutions/uni-a/accounts/{opening.pk}/result/"),
        ):
            assert response.status_code == 404
    assert AccountOpening.objects.count() == 1
    assert Client().get("/institutions/uni-a/accounts/").status_code == 302  # to the login page


def test_the_templates_are_public(admin) -> None:  # type: ignore[no-untyped-def]
    anonymous = Client()
    xlsx = anonymous.get("/institutions/uni-a/accounts/template/?format=xlsx&headers=en")
    assert (xlsx.status_code, xlsx["Content-Disposition"]) == (
        200, 'attachment; filename="account-opening-template-en.xlsx"',
    )  # fmt: skip
    assert anonymous.get("/institutions/uni-a/accounts/template/?format=pdf").status_code == 404
    assert anonymous.get("/institutions/nope/accounts/template/").status_code == 404
