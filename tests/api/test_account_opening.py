"""Bulk account opening over the API: ``POST /institutions/{code}/accounts`` (multipart), the
opening with its report, the one-time result file, the template, for administrators and API
clients with ``accounts:write``; other institutions get 404. Every answer is validated against the
served OpenAPI document (the ``api`` fixture)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import Api
from creditbank.accounts.models import User
from creditbank.institutions.models import AccountOpening, ApiClientCall
from creditbank.institutions.tests.factories import make_client, make_institution, student, students_file


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def two(make_learner):  # type: ignore[no-untyped-def]
    admin_a, admin_b = make_learner(), make_learner()
    return {
        "admin_a": admin_a, "admin_b": admin_b,
        "a": make_institution("uni-a", admin=admin_a), "b": make_institution("uni-b", admin=admin_b),
    }  # fmt: skip


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def as_client(client_id: str, secret: str) -> Api:
    api = Api(Client())
    response = api.post(
        "/api/v1/auth/token", {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert response.status_code == 200, response.content
    api.token = response.json()["access_token"]
    return api


def upload(api: Api, code: str, file: Any, **kw: Any) -> Any:
    return api.post(f"/api/v1/institutions/{code}/accounts", {"file": file} if file else {}, multipart=True, **kw)


def result_csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_an_administrator_opens_accounts_and_fetches_the_result_once(two, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["admin_a"])
    existing = make_learner()
    from creditbank.accounts.services import user_reveal_pii

    rows = [
        student("王芳"),
        {
            "name": "陈晶",
            "id_number": user_reveal_pii(user=existing, fields=("id_number",))["id_number"],
            "phone": "13700000995",
        },
        student("李雷", phone="1234"),
    ]
    with commit():
        posted = upload(api, "uni-a", students_file(rows, name="三年级.csv"))
    assert posted.status_code == 202
    body = posted.json()
    assert {k: body[k] for k in ("institution", "status", "filename", "file_format", "rows_total", "rows_done")} == {
        "institution": "uni-a", "status": "queued", "filename": "三年级.csv", "file_format": "csv", "rows_total": 3,
        "rows_done": 0,
    }  # fmt: skip
    assert (body["rows"], body["result"]["url"], body["vouched"]) == ([], None, False)

    detail = api.get(f"/api/v1/institutions/uni-a/accounts/{body['id']}")
    assert detail.status_code == 200
    done = detail.json()
    assert (done["status"], done["rows_done"], done["counts"]) == ("done", 3, {"created": 1, "linked": 1, "errors": 1})
    assert [{k: r[k] for k in ("row", "status", "code", "field")} for r in done["rows"]] == [
        {"row": 2, "status": "created", "code": "", "field": ""},
        {"row": 3, "status": "linked", "code": "", "field": ""},
        {"row": 4, "status": "error", "code": "phone_invalid", "field": "phone"},
    ]
    assert [set(r) for r in done["rows"]] == [{"row", "status", "code", "field", "message"}] * 3
    assert done["rows"][1]["message"] == ""  # linked, and nothing more
    url = done["result"]["url"]
    assert url == f"/api/v1/institutions/uni-a/accounts/{body['id']}/result"
    assert done["result"]["available"] is True

    fetched = api.get(url)
    assert fetched.status_code == 200
    assert fetched["Content-Type"] == "text/csv; charset=utf-8"
    assert fetched["Content-Disposition"].startswith('attachment; filename="accounts-uni-a-')
    assert fetched["Cache-Control"] == "no-store, private"
    lines = result_csv(fetched)
    password = lines[1][6]
    created = User.objects.get(name="王芳")
    assert (lines[1][3], lines[1][5], created.check_password(password)) == ("created", created.account_no, True)
    assert lines[2][3:9] == ["linked", "已关联到本机构", "", "", "", ""]
    assert password not in detail.content.decode() and password not in posted.content.decode()

    again = api.get(url)
    assert (again.status_code, again.json()["code"]) == (410, "opening_result_gone")
    after = api.get(f"/api/v1/institutions/uni-a/accounts/{body['id']}").json()["result"]
    assert (after["url"], after["available"], after["downloaded_at"] is not None) == (None, False, True)
    listing = api.get("/api/v1/institutions/uni-a/accounts").json()
    assert listing["count"] == 1
    assert "rows" not in listing["items"][0]


def test_the_initial_password_logs_in_and_must_be_changed(two, commit) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["admin_a"])
    row = student("王芳")
    with commit():
        opening_id = upload(api, "uni-a", students_file([row])).json()["id"]
    password = result_csv(api.get(f"/api/v1/institutions/uni-a/accounts/{opening_id}/result"))[1][6]

    learner = Api(Client())
    login = learner.post("/api/v1/auth/token", {"identifier": row["id_number"], "password": password})
    assert (login.status_code, login.json()["must_change_password"]) == (200, True)
    learner.token = login.json()["access_token"]
    blocked = learner.get("/api/v1/me/verification")
    assert (blocked.status_code, blocked.json()["code"]) == (403, "password_change_required")
    changed = learner.post(
        "/api/v1/auth/password", {"old_password": password, "new_password": "a passphrase of my own"}
    )
    assert changed.status_code == 200
    assert learner.get("/api/v1/me/verification").status_code == 200

    page = Client()
    assert page.login(username=User.objects.get(name="王芳").account_no, password="a passphrase of my own")
    User.objects.filter(name="王芳").update(must_change_password=True)  # the page gate, for an initial password
    assert page.get("/profile/").url == "/accounts/password/set/"


def test_an_api_client_with_accounts_write(two, commit) -> None:  # type: ignore[no-untyped-def]
    client, secret = make_client(two["a"], admin=two["admin_a"], scopes=("accounts:write",))
    api = as_client(client.client_id, secret)
    with commit():
        posted = upload(api, "uni-a", students_file([student()], kind="xlsx"))
    assert posted.status_code == 202
    opening_id = posted.json()["id"]
    detail = api.get(f"/api/v1/institutions/uni-a/accounts/{opening_id}").json()
    assert (detail["counts"]["created"], detail["file_format"]) == (1, "xlsx")
    admins = as_user(two["admin_a"])
    assert admins.get(f"/api/v1/institutions/uni-a/accounts/{opening_id}").json()["result"]["url"] is None
    not_yours = admins.get(f"/api/v1/institutions/uni-a/accounts/{opening_id}/result")
    assert (not_yours.status_code, not_yours.json()["code"]) == (403, "opening_result_not_yours")
    fetched = api.get(detail["result"]["url"])
    assert fetched["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(fetched.content)).worksheets[0]
    assert sheet.cell(row=2, column=4).value == "created"
    calls = list(ApiClientCall.objects.filter(client=client).order_by("id").values_list("method", "path", "status"))
    assert calls == [
        ("POST", "/api/v1/auth/token", 200),
        ("POST", "/api/v1/institutions/uni-a/accounts", 202),
        ("GET", f"/api/v1/institutions/uni-a/accounts/{opening_id}", 200),
        ("GET", f"/api/v1/institutions/uni-a/accounts/{opening_id}/result", 200),
    ]


def test_a_client_without_accounts_write_and_a_client_of_another_institution(two) -> None:  # type: ignore[no-untyped-def]
    outcomes_only, secret = make_client(two["a"], admin=two["admin_a"], scopes=("outcomes:write",))
    refused = upload(as_client(outcomes_only.client_id, secret), "uni-a", students_file([student()]))
    assert (refused.status_code, refused.json()["code"], refused.json()["required"]) == (
        403, "insufficient_scope", "accounts:write",
    )  # fmt: skip
    other, other_secret = make_client(two["b"], admin=two["admin_b"], scopes=("accounts:write",))
    elsewhere = upload(as_client(other.client_id, other_secret), "uni-a", students_file([student()]))
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not_found")
    assert AccountOpening.objects.count() == 0


def test_another_institutions_administrator_gets_404_everywhere(two, commit) -> None:  # type: ignore[no-untyped-def]
    with commit():
        opening_id = upload(as_user(two["admin_a"]), "uni-a", students_file([student()])).json()["id"]
    api = as_user(two["admin_b"])
    attempts = [
        upload(api, "uni-a", students_file([student()])),
        api.get("/api/v1/institutions/uni-a/accounts"),
        api.get(f"/api/v1/institutions/uni-a/accounts/{opening_id}"),
        api.get(f"/api/v1/institutions/uni-b/accounts/{opening_id}"),
        api.get(f"/api/v1/institutions/uni-a/accounts/{opening_id}/result"),
        api.get(f"/api/v1/institutions/uni-b/accounts/{opening_id}/result"),
    ]
    assert [(r.status_code, r.json()["code"]) for r in attempts] == [(404, "not_found")] * len(attempts)
    assert AccountOpening.objects.count() == 1
    assert AccountOpening.objects.get().result_downloaded_at is None


def test_a_learner_and_anonymous_callers(two, make_learner) -> None:  # type: ignore[no-untyped-def]
    learner = upload(as_user(make_learner()), "uni-a", students_file([student()]))
    anonymous = upload(Api(Client()), "uni-a", students_file([student()]))
    assert [(r.status_code, r.json()["code"]) for r in (learner, anonymous)] == [
        (404, "not_found"), (401, "not_authenticated"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "code", "status"),
    [
        (None, "upload_missing", 400),
        (SimpleUploadedFile("s.csv", "姓名,身份证号,手机号\r\n张三,1,2\r\n".encode("gbk")), "file_encoding", 400),
        (
            SimpleUploadedFile("s.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
            "upload_type_not_allowed",
            400,
        ),
        (SimpleUploadedFile("s.csv", "姓名,手机号\r\n张三,2\r\n".encode()), "file_columns_missing", 400),
        (SimpleUploadedFile("s.csv", "姓名,身份证号,手机号\r\n".encode()), "file_no_rows", 400),
    ],
    ids=["missing", "gbk", "xls", "no-id-column", "header-only"],
)
def test_a_refused_file_is_a_problem_next_to_the_file_field(two, file, code, status) -> None:  # type: ignore[no-untyped-def]
    response = upload(as_user(two["admin_a"]), "uni-a", file, headers={"Accept-Language": "en"})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert list(response.json()["errors"]) == ["file"]
    assert AccountOpening.objects.count() == 0


def test_the_missing_columns_are_named(two) -> None:  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("s.csv", "姓名,邮箱\r\n张三,a@b.cn\r\n".encode())
    response = upload(as_user(two["admin_a"]), "uni-a", file)
    assert response.json()["missing"] == ["id_number", "phone"]
    file.seek(0)
    english = upload(as_user(two["admin_a"]), "uni-a", file, headers={"Accept-Language": "en"})
    assert english.json()["detail"].startswith("The header row lacks: ID number and Mobile phone. ")
    assert response.json()["errors"]["file"] == [
        "表头缺少：身份证号码和手机号。姓名、身份证号和手机号为必填列，邮箱和学号可以省略。表头格式见模板。"
    ]


def test_the_same_key_and_file_open_the_accounts_once(two, commit) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["admin_a"])
    data = students_file([student()]).read()
    with commit():
        first = upload(api, "uni-a", SimpleUploadedFile("s.csv", data), headers={"Idempotency-Key": "k1"})
    again = upload(api, "uni-a", SimpleUploadedFile("s.csv", data), headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code, again.json()) == (202, 202, first.json())
    assert AccountOpening.objects.count() == 1
    other = upload(api, "uni-a", students_file([student()]), headers={"Idempotency-Key": "k1"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")


@pytest.mark.parametrize(("kind", "headers"), [("csv", "zh"), ("csv", "en"), ("xlsx", "zh"), ("xlsx", "en")])
def test_the_template_is_public(db, two, kind, headers) -> None:  # type: ignore[no-untyped-def]
    api = Api(Client())
    response = api.get("/api/v1/institutions/uni-a/accounts/template", {"format": kind, "headers": headers})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="account-opening-template-{headers}.{kind}"'
    first = {"zh": "姓名", "en": "name"}[headers]
    if kind == "csv":
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert (lines[0][0], len(lines), lines[1][0]) == (first, 2, "张三")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert (sheet.cell(row=1, column=1).value, sheet.cell(row=2, column=2).number_format) == (first, "@")


def test_a_template_refusal(db, two) -> None:  # type: ignore[no-untyped-def]
    api = Api(Client())
    bad = api.get("/api/v1/institutions/uni-a/accounts/template", {"format": "pdf", "headers": "fr"})
    assert (bad.status_code, bad.json()["code"], sorted(bad.json()["errors"])) == (
        400, "choice_invalid", ["format", "headers"],
    )  # fmt: skip
    missing = api.get("/api/v1/institutions/nope/accounts/template")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
