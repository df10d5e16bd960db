"""Bulk account opening through the services: accounts opened, people linked, rows refused, the
one-time result file, the policy's vouching, what is never stored or told, and refusals that
store nothing."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt
from creditbank.institutions.models import AccountOpening, AccountOpeningRow, Enrolment, OpeningStatus
from creditbank.institutions.services import (
    account_opening_result,
    account_opening_run,
    account_opening_upload,
    account_openings_purge,
)
from creditbank.institutions.services.opening import run as opening_run
from creditbank.institutions.services.opening import upload as opening_upload
from creditbank.institutions.tests.factories import (
    client_principal,
    make_client,
    make_institution,
    open_accounts,
    student,
    students_file,
)
from creditbank.kernel.errors import DomainError
from creditbank.kernel.vault import vault
from tests.decisions import decision_digest
from tests.factories import committed
from tests.vault_files import vault_files


@pytest.fixture
def school(make_learner):  # type: ignore[no-untyped-def]
    admin = make_learner(name="周敏")
    return admin, make_institution("uni-a", admin=admin)


def result_rows(data: bytes, kind: str = "csv") -> list[list[str]]:
    if kind == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value or "" for cell in row] for row in sheet.iter_rows()]


def by_row(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    """Result rows by row number: status, account number, password, code, message."""
    keys = ["row", "name", "student_no", "status", "result", "account_no", "password", "code", "message"]
    return {line[0]: dict(zip(keys, line, strict=True)) for line in rows[1:]}


def report(opening: AccountOpening) -> list[tuple[int, str, str, str]]:
    return list(
        AccountOpeningRow.objects.filter(opening=opening)
        .order_by("number")
        .values_list("number", "status", "code", "field")
    )


# --- the happy paths ---------------------------------------------------------------------------------


def test_a_csv_opens_links_and_refuses_row_by_row(school, make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, institution = school
    existing = make_learner(name="陈静")
    new_a, new_b = student("王芳"), student("李雷", email="")
    bad = student("赵六")
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    rows = [
        new_a,
        new_b,
        # an account holder, under another name and with other contacts: linked all the same
        {"name": "陈晶", "id_number": existing_id(existing), "phone": "13700000999", "email": ""},
        bad,
        {**student("孙七"), "id_number": new_a["id_number"]},  # the same person twice in one file
    ]
    users_before = User.objects.count()
    mail.outbox.clear()

    opening = open_accounts(admin, "uni-a", students_file(rows))

    assert (opening.status, opening.rows_total, opening.rows_done) == (OpeningStatus.DONE, 5, 5)
    assert (opening.created, opening.linked, opening.errors) == (2, 1, 2)
    assert report(opening) == [
        (2, "created", "", ""),
        (3, "created", "", ""),
        (4, "linked", "", ""),
        (5, "error", "id_number_checksum", "id_number"),
        (6, "error", "row_duplicate", "id_number"),
    ]
    assert User.objects.count() == users_before + 2
    a, b = (User.objects.get(pk=user_find_by_identifier(r["id_number"]).pk) for r in (new_a, new_b))
    for user, row in ((a, new_a), (b, new_b)):
        assert (user.status, user.must_change_password, user.name) == (AccountStatus.ACTIVATED, True, row["name"])
        assert user_find_by_identifier(row["phone"]) == user
    assert (a.email, b.email) == (new_a["email"], "")
    assert sorted(Enrolment.objects.filter(institution=institution).values_list("user_id", "opened", "student_no", "name_matched")) == sorted(
        [(a.pk, True, new_a["student_no"], True), (b.pk, True, new_b["student_no"], True), (existing.pk, False, "", False)]
    )  # fmt: skip
    holder = User.objects.get(pk=existing.pk)
    assert (holder.name, holder.phone_index, holder.email, holder.password) == (
        existing.name, existing.phone_index, existing.email, existing.password,
    )  # fmt: skip
    assert AccountOpeningRow.objects.get(opening=opening, number=6).messages == {
        "zh-hans": "第 2 行已有相同的身份证号码：每名学生只需列出一次。",
        "en": "The same ID number is already in row 2: list each student once.",
    }
    checksum = AccountOpeningRow.objects.get(opening=opening, number=5)
    assert checksum.message_in("en").startswith("ID number: The last character does not match the others")
    assert checksum.message_in("zh-hans").startswith("身份证号码：")
    assert mail.outbox == []
    audit = AuditEvent.objects.filter(object_type="account_opening", object_id=str(opening.pk))
    assert sorted(audit.values_list("action", "actor_id")) == [
        ("institution.accounts_opened", admin.pk),
        ("institution.accounts_uploaded", admin.pk),
        ("institution.student_linked", admin.pk),
    ]
    assert audit.get(action="institution.accounts_uploaded").reason == "institution:uni-a rows:5"
    assert audit.get(action="institution.accounts_opened").reason == (
        "institution:uni-a status:done created:2 linked:1 errors:2"
    )
    assert audit.get(action="institution.student_linked").subject_id == existing.pk
    opened = AuditEvent.objects.filter(action="account.opened").order_by("id")
    assert list(opened.values_list("actor_id", "subject_id", "reason")) == [
        (admin.pk, a.pk, "institution:uni-a"), (admin.pk, b.pk, "institution:uni-a"),
    ]  # fmt: skip


def existing_id(user: User) -> str:
    from creditbank.accounts.services import user_reveal_pii

    return user_reveal_pii(user=user, fields=("id_number",))["id_number"]


def test_an_xlsx_with_english_headers(school) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    rows = [student("Li Lei"), student("Han Meimei"), student("韩梅梅", phone="12345")]

    opening = open_accounts(admin, "uni-a", students_file(rows, kind="xlsx", headers="en"))

    assert (opening.file_format, opening.created, opening.linked, opening.errors) == ("xlsx", 2, 0, 1)
    assert report(opening)[2] == (4, "error", "phone_invalid", "phone")


def test_the_result_file_once_then_the_passwords_are_gone(school, make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    existing = make_learner()
    rows = [student("王芳"), {"name": "陈静", "id_number": existing_id(existing), "phone": "13700000998"}]
    opening = open_accounts(admin, "uni-a", students_file(rows))
    blob = opening.source_blob
    assert vault().exists(blob)

    with committed():
        result = account_opening_result(caller=admin, code="uni-a", id=opening.pk)

    assert result.content_type == "text/csv; charset=utf-8"
    assert result.filename.startswith("accounts-uni-a-") and result.filename.endswith(".csv")
    lines = result_rows(result.data)
    assert lines[0] == ["行号", "姓名", "学号", "状态", "结果", "学分银行账号", "初始密码", "代码", "说明"]
    got = by_row(lines)
    created = User.objects.get(pk=user_find_by_identifier(rows[0]["id_number"]).pk)
    assert got["2"]["status"] == "created"
    assert (got["2"]["name"], got["2"]["student_no"], got["2"]["account_no"]) == (
        "王芳", rows[0]["student_no"], created.account_no,
    )  # fmt: skip
    assert created.check_password(got["2"]["password"])
    assert len(got["2"]["password"]) == 12
    # a linked row says "linked" and nothing more
    assert {k: got["3"][k] for k in ("status", "account_no", "password", "code", "message")} == {
        "status": "linked", "account_no": "", "password": "", "code": "", "message": "",
    }  # fmt: skip
    assert existing.account_no not in result.data.decode("utf-8-sig")
    assert not AccountOpeningRow.objects.exclude(initial_password_enc="").exists()
    opening.refresh_from_db()
    assert (opening.source_blob, opening.result_downloaded_at is not None) == ("", True)
    assert not vault().exists(blob)
    with pytest.raises(DomainError) as again:
        account_opening_result(caller=admin, code="uni-a", id=opening.pk)
    assert (again.value.code, again.value.status) == ("opening_result_gone", 410)
    assert AuditEvent.objects.filter(action="institution.accounts_result_downloaded", actor=admin).count() == 1


def test_an_xlsx_result_for_an_xlsx_upload(school) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    opening = open_accounts(admin, "uni-a", students_file([student()], kind="xlsx"))
    result = account_opening_result(caller=admin, code="uni-a", id=opening.pk)
    assert result.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert by_row(result_rows(result.data, "xlsx"))["2"]["status"] == "created"


def test_names_that_look_like_formulas_are_neutralised_in_the_result(school) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    rows = [student('=HYPERLINK("http://evil.example","x")'), student("+cmd"), student("-1"), student("@SUM(A1)")]
    for kind in ("csv", "xlsx"):
        opening = open_accounts(admin, "uni-a", students_file(rows, kind=kind))
        got = by_row(result_rows(account_opening_result(caller=admin, code="uni-a", id=opening.pk).data, kind))
        assert [got[str(n)]["name"] for n in range(2, 6)] == [
            '\'=HYPERLINK("http://evil.example","x")', "'+cmd", "'-1", "'@SUM(A1)",
        ]  # fmt: skip
        assert {got[str(n)]["status"] for n in range(2, 6)} == {"error"}


# --- the initial password is nowhere else ---------------------------------------------------------------


def _all_text(table: str, where: str = "", params: tuple[Any, ...] = ()) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} {where}", params)  # noqa: S608 - table names of this test
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_initial_password_is_not_stored_logged_or_mailed(school, caplog) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    caplog.set_level(logging.DEBUG)
    row = student()
    opening = open_accounts(admin, "uni-a", students_file([row]))
    sealed = AccountOpeningRow.objects.get(opening=opening).initial_password_enc
    password = by_row(result_rows(account_opening_result(caller=admin, code="uni-a", id=opening.pk).data))["2"][
        "password"
    ]
    user = User.objects.get(pk=user_find_by_identifier(row["id_number"]).pk)

    assert sealed and password not in sealed  # sealed (AES-256-GCM) until the download, then wiped
    assert _all_text("accounts_user", "WHERE id = %s", (user.pk,))  # the new account's row is read
    assert AuditEvent.objects.filter(subject=user).exists()
    tables = connection.introspection.table_names()
    assert {"accounts_user", "audit_auditevent", "institutions_accountopeningrow"} <= set(tables)
    for table in tables:  # every column of every row of every table
        assert password not in _all_text(connection.ops.quote_name(table)), table
    assert password not in caplog.text
    assert "account opened account_no=" in caplog.text  # the log was captured
    assert all(password not in m.body and password not in m.subject for m in mail.outbox)
    assert user.check_password(password)
    assert not user.password.endswith(password)


# --- the deployment's policy: vouching -------------------------------------------------------------------


def test_with_the_policy_on_opened_accounts_are_verified_on_the_institutions_word(school, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "INSTITUTION_VOUCHES_IDENTITY": True}
    admin, _institution = school
    row = student()
    mail.outbox.clear()
    opening = open_accounts(admin, "uni-a", students_file([row]))

    assert opening.vouched is True
    user = User.objects.get(pk=user_find_by_identifier(row["id_number"]).pk)
    assert (user.status, user.must_change_password, user.verified_at is not None) == (
        AccountStatus.VERIFIED,
        True,
        True,
    )
    attempt = VerificationAttempt.objects.get(user=user)
    assert (attempt.status, attempt.source, attempt.source_institution, attempt.auto_decided, attempt.reviewer) == (
        "approved", "institution", "uni-a", True, None,
    )  # fmt: skip
    assert (attempt.front_blob, attempt.back_blob) == ("", "")
    event = AuditEvent.objects.get(action="verification.approve", subject=user)
    assert (event.actor, event.reason, event.object_id) == (None, "institution:uni-a", str(attempt.pk))
    assert event.digest == decision_digest(
        kind="verification", request=attempt, decision="approve", reason_code="", actor=None
    )
    assert mail.outbox == []


def test_with_the_policy_off_the_learner_verifies_as_usual(school) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    row = student()
    opening = open_accounts(admin, "uni-a", students_file([row]))
    assert opening.vouched is False
    user = User.objects.get(pk=user_find_by_identifier(row["id_number"]).pk)
    assert user.status == AccountStatus.ACTIVATED
    assert not VerificationAttempt.objects.filter(user=user).exists()


def test_a_linked_account_is_never_vouched_for(school, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "INSTITUTION_VOUCHES_IDENTITY": True}
    admin, _institution = school
    existing = make_learner()
    open_accounts(
        admin,
        "uni-a",
        students_file([{"name": existing.name, "id_number": existing_id(existing), "phone": "13700000997"}]),
    )
    assert User.objects.get(pk=existing.pk).status == AccountStatus.ACTIVATED
    assert not VerificationAttempt.objects.filter(user=existing).exists()


# --- what is not told ------------------------------------------------------------------------------------


@pytest.mark.parametrize("held", ["phone", "email"])
def test_a_phone_or_email_of_another_account_is_a_neutral_refusal(school, make_learner, held) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    other = make_learner()
    row = student("王芳", **{held: {"phone": "13700000996", "email": other.email}[held]})
    if held == "phone":
        from creditbank.accounts.services import user_set_phone

        user_set_phone(user=other, phone=row["phone"])
    users = User.objects.count()

    opening = open_accounts(admin, "uni-a", students_file([row]))

    refused = AccountOpeningRow.objects.get(opening=opening)
    assert (refused.status, refused.code, refused.field) == ("error", "opening_refused", "")
    assert refused.messages == {
        "zh-hans": "无法根据此行开户。学生可以自行在学分银行网站注册。",
        "en": "This account cannot be opened from the file. The student can register on the credit bank's site themselves.",
    }
    assert User.objects.count() == users
    assert not Enrolment.objects.filter(user=other).exists()


def test_a_child_under_the_minimum_age_is_refused_with_the_reason(school) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    today = timezone.localdate()
    from creditbank.identity.specimens import valid_id_number

    child = student("小明", id_number=valid_id_number(region="310104", birth=f"{today.year - 10}0101", sequence=5))
    opening = open_accounts(admin, "uni-a", students_file([child]))
    assert report(opening) == [(2, "error", "guardian_consent_required", "id_number")]


def test_an_id_number_typed_into_a_number_cell(school) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    row = student()
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "身份证号", "手机号"])
    workbook.active.append([row["name"], int(row["id_number"][:17] + "0"), row["phone"]])
    out = io.BytesIO()
    workbook.save(out)
    opening = open_accounts(admin, "uni-a", SimpleUploadedFile("s.xlsx", out.getvalue()))
    assert report(opening) == [(2, "error", "cell_not_text", "id_number")]


# --- refusals of the whole file store nothing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (None, "upload_missing"),
        (SimpleUploadedFile("s.csv", b""), "upload_empty"),
        (SimpleUploadedFile("s.csv", "姓名,身份证号,手机号\r\n张三,1,2\r\n".encode("gbk")), "file_encoding"),
        (SimpleUploadedFile("s.csv", b"name,phone\r\nx,1\r\n"), "file_columns_missing"),
        (SimpleUploadedFile("s.pdf", b"%PDF-1.4\x00\x01"), "upload_type_not_allowed"),
    ],
    ids=["missing", "empty", "gbk", "no-id-column", "pdf"],
)
def test_a_refused_file_stores_nothing(school, upload, code) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    files, events = vault_files(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        account_opening_upload(caller=admin, code="uni-a", upload=upload)
    assert (refused.value.code, refused.value.field) == (code, "file")
    assert AccountOpening.objects.count() == 0
    assert vault_files() == files
    assert AuditEvent.objects.count() == events


def test_too_many_rows(school, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "ACCOUNT_OPENING_MAX_ROWS": 2}
    admin, _institution = school
    with pytest.raises(DomainError) as refused:
        account_opening_upload(caller=admin, code="uni-a", upload=students_file([student(), student(), student()]))
    assert (refused.value.code, refused.value.extra) == ("file_too_many_rows", {"max_rows": 2})
    assert str(refused.value.message) == "文件中的学生超过 2 名。请拆分为每个不超过 2 行的文件。"
    assert AccountOpening.objects.count() == 0


def test_a_file_too_large_is_refused_before_it_is_read(school, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    monkeypatch.setattr(opening_upload, "MAX_FILE_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("s.csv", b"name,id_number,phone\r\n" + b"x" * (1024 * 1024))
    with pytest.raises(DomainError) as refused:
        account_opening_upload(caller=admin, code="uni-a", upload=big)
    assert (refused.value.code, refused.value.status) == ("upload_too_large", 413)
    assert (refused.value.extra, refused.value.errors) == (
        {"max_bytes": 1024 * 1024}, {"file": ["文件超过 1 MB：请拆分为较小的文件。"]},
    )  # fmt: skip


def test_uploads_per_institution_are_limited(school, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "ACCOUNT_OPENINGS_PER_INSTITUTION_PER_HOUR": 1}
    admin, _institution = school
    open_accounts(admin, "uni-a", students_file([student()]))
    with pytest.raises(DomainError) as refused:
        account_opening_upload(caller=admin, code="uni-a", upload=students_file([student()]))
    assert (refused.value.code, refused.value.status) == ("rate_limited", 429)
    assert AccountOpening.objects.count() == 1


# --- who may --------------------------------------------------------------------------------------------


def test_another_institutions_admin_and_an_issuer_get_not_found(school, make_learner) -> None:  # type: ignore[no-untyped-def]
    _admin, institution = school
    other_admin = make_learner()
    make_institution("uni-b", admin=other_admin)
    issuer = make_learner()
    from creditbank.institutions.models import Membership

    Membership.objects.create(user=issuer, institution=institution, role="issuer")
    for who in (other_admin, issuer):
        with pytest.raises(DomainError) as refused:
            account_opening_upload(caller=who, code="uni-a", upload=students_file([student()]))
        assert (refused.value.code, refused.value.status) == ("not_found", 404)
    assert AccountOpening.objects.count() == 0


def test_an_api_client_opens_accounts_and_alone_gets_the_passwords(school) -> None:  # type: ignore[no-untyped-def]
    admin, institution = school
    client, _secret = make_client(institution, admin=admin, scopes=("accounts:write",))
    principal = client_principal(client)
    opening = open_accounts(principal, "uni-a", students_file([student()]))
    assert (opening.created, opening.created_by, opening.client) == (1, None, client)
    assert AuditEvent.objects.get(action="account.opened").actor is None
    assert AuditEvent.objects.get(action="account.opened").reason == f"institution:uni-a client:{client.client_id}"
    with pytest.raises(DomainError) as not_yours:
        account_opening_result(caller=admin, code="uni-a", id=opening.pk)
    assert (not_yours.value.code, not_yours.value.status) == ("opening_result_not_yours", 403)
    assert account_opening_result(caller=principal, code="uni-a", id=opening.pk).data


def test_a_client_without_the_scope_is_refused(school) -> None:  # type: ignore[no-untyped-def]
    admin, institution = school
    client, _secret = make_client(institution, admin=admin, scopes=("outcomes:write",))
    with pytest.raises(DomainError) as refused:
        account_opening_upload(
            caller=client_principal(client, scopes=("outcomes:write",)), code="uni-a", upload=students_file([student()])
        )
    assert (refused.value.code, refused.value.status, refused.value.extra["required"]) == (
        "insufficient_scope", 403, "accounts:write",
    )  # fmt: skip
    assert AccountOpening.objects.count() == 0


# --- the run: resumable, and the result's lifetime --------------------------------------------------------


def test_a_run_stopped_midway_resumes_to_the_same_end(school, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    monkeypatch.setattr(opening_run, "CHUNK", 2)
    rows = [student() for _ in range(5)]
    real = opening_run.process
    calls = {"n": 0}

    class WorkerKilled(BaseException):
        pass

    def dies_on_the_fourth(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(opening_run, "process", dies_on_the_fourth)
    open_accounts(admin, "uni-a", students_file(rows))  # the task dies (its backend records the failure)
    assert calls["n"] == 4
    opening = AccountOpening.objects.get()
    assert (opening.status, opening.rows_done, opening.created) == (OpeningStatus.RUNNING, 2, 2)  # one chunk committed
    assert User.objects.filter(must_change_password=True).count() == 2

    monkeypatch.setattr(opening_run, "process", real)
    account_opening_run(opening_id=opening.pk)

    opening.refresh_from_db()
    assert (opening.status, opening.rows_done, opening.created, opening.errors) == (OpeningStatus.DONE, 5, 5, 0)
    assert User.objects.filter(must_change_password=True).count() == 5
    assert AccountOpeningRow.objects.filter(opening=opening).exclude(initial_password_enc="").count() == 5
    got = by_row(result_rows(account_opening_result(caller=admin, code="uni-a", id=opening.pk).data))
    for n, row in enumerate(rows, start=2):
        assert User.objects.get(pk=user_find_by_identifier(row["id_number"]).pk).check_password(got[str(n)]["password"])
    assert account_opening_run(opening_id=opening.pk) is None  # a finished opening is left alone


def test_the_result_waits_for_the_run_then_expires(school) -> None:  # type: ignore[no-untyped-def]
    admin, _institution = school
    queued = account_opening_upload(caller=admin, code="uni-a", upload=students_file([student()]))  # not run yet
    with pytest.raises(DomainError) as early:
        account_opening_result(caller=admin, code="uni-a", id=queued.pk)
    assert (early.value.code, early.value.status) == ("opening_not_finished", 409)

    opening = open_accounts(admin, "uni-a", students_file([student()]))
    assert opening.result_expires_at is not None
    later = opening.result_expires_at + timedelta(seconds=1)
    assert account_openings_purge(now=later - timedelta(seconds=2)) == 0
    blob = opening.source_blob
    with committed():
        assert account_openings_purge(now=later) == 1
    opening.refresh_from_db()
    assert (opening.source_blob, opening.result_purged_at) == ("", later)
    assert not vault().exists(blob)
    assert not AccountOpeningRow.objects.filter(opening=opening).exclude(initial_password_enc="").exists()
    assert AccountOpeningRow.objects.filter(opening=opening).count() == 1  # the report stays
    with pytest.raises(DomainError) as gone:
        account_opening_result(caller=admin, code="uni-a", id=opening.pk)
    assert gone.value.code == "opening_result_gone"
    assert account_openings_purge(now=later) == 0


@pytest.mark.parametrize(("kind", "headers"), [("csv", "zh"), ("xlsx", "en")])
def test_the_template_as_it_is_opens_its_sample_student(school, kind, headers) -> None:  # type: ignore[no-untyped-def]
    from creditbank.institutions.services import account_opening_template

    admin, _institution = school
    template = account_opening_template(kind=kind, headers=headers)
    opening = open_accounts(admin, "uni-a", SimpleUploadedFile(template.filename, template.data))
    assert (opening.file_format, opening.rows_total, opening.created) == (kind, 1, 1)
    assert Enrolment.objects.get().student_no == "2026001"
