"""Outcome imports over the API: upload (CSV, XLSX) → 202 with the job; the job's progress and its
row-by-row report; the template and the row schema; every refused file; who may see which job.
Every answer is validated against the served OpenAPI document (the ``api`` fixture)."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.test import Client

from conftest import Api
from creditbank.institutions.tests.factories import make_client, make_manager
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.outcomes.models import ImportFileChunk, ImportJob, ImportRow, Outcome
from creditbank.outcomes.services import outcomes_deposit
from creditbank.outcomes.services.imports import jobs
from creditbank.outcomes.tests.imports.files import HEADER, csv_bytes, make_setting, outcome_row, upload, xlsx_bytes
from tests.vault_files import vault_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_learner):  # type: ignore[no-untyped-def]
    manager = make_manager()
    return make_setting("uni-a", make_learner, manager=manager), make_setting("uni-b", make_learner, manager=manager)


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def rows_for(setting: Any) -> list[dict[str, str]]:
    """Six rows: four good (one by ID number), an unknown learner, a duplicate of the first."""
    a, b, c = setting.learners
    return [
        outcome_row(a, 1),
        outcome_row(b, 2, credits="2.00", result_scheme="five_level", result_value="良"),
        outcome_row(None, 3, id_number=setting.id_numbers[c.pk]),
        outcome_row(a, 4, type="vocational_certificate", result_scheme="", result_value="", level=""),
        outcome_row(None, 5, account_no="100000000008"),
        outcome_row(b, 1),
    ]


@pytest.fixture
def files(two):  # type: ignore[no-untyped-def]
    return rows_for(two[0])


def send(api: Api, code: str, data: bytes, name: str = "outcomes.csv", **headers: str) -> Any:
    return api.post(
        f"/api/v1/institutions/{code}/imports", {"file": upload(data, name)}, multipart=True, headers=headers
    )


def run_jobs(django_capture_on_commit_callbacks: Any, fn: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return fn()


EXPECTED_REPORT = [
    {"row": 2, "external_id": "EXT-00001", "status": "accepted", "code": None, "field": None, "message": None},
    {"row": 3, "external_id": "EXT-00002", "status": "accepted", "code": None, "field": None, "message": None},
    {"row": 4, "external_id": "EXT-00003", "status": "accepted", "code": None, "field": None, "message": None},
    {"row": 5, "external_id": "EXT-00004", "status": "accepted", "code": None, "field": None, "message": None},
    {"row": 6, "external_id": "EXT-00005", "status": "error", "code": "learner_not_found", "field": "learner",
     "message": "No learner has this account number or ID number."},
    {"row": 7, "external_id": "EXT-00001", "status": "duplicate", "code": None, "field": None, "message": None},
]  # fmt: skip


@pytest.mark.parametrize(("name", "build"), [("outcomes.csv", csv_bytes), ("outcomes.xlsx", xlsx_bytes)])
def test_an_issuer_imports_a_file_and_reads_its_report(  # type: ignore[no-untyped-def]
    two, files, name, build, django_capture_on_commit_callbacks
) -> None:
    a, _b = two
    api = as_user(a.issuer)
    response = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", build(files), name))
    assert response.status_code == 202, response.content
    body = response.json()
    job = ImportJob.objects.get()
    assert response["Location"] == body["url"] == f"http://testserver/api/v1/institutions/uni-a/imports/{job.pk}"
    assert (body["status"], body["format"], body["filename"], body["processed_rows"]) == (
        "queued", name.rsplit(".")[-1], name, 0,
    )  # fmt: skip
    assert body["total_rows"] == (6 if name.endswith(".csv") else None)
    done = api.get(f"/api/v1/institutions/uni-a/imports/{job.pk}").json()
    assert {k: done[k] for k in ("status", "total_rows", "processed_rows", "accepted", "duplicates", "errors")} == {
        "status": "done", "total_rows": 6, "processed_rows": 6, "accepted": 4, "duplicates": 1, "errors": 1,
    }  # fmt: skip
    assert done["finished_at"] is not None and done["error_code"] is None
    report = api.get(done["rows_url"].removeprefix("http://testserver"), headers={"Accept-Language": "en"}).json()
    assert report["count"] == 6
    assert [{k: v for k, v in r.items() if k != "outcome_id"} for r in report["items"]] == EXPECTED_REPORT
    outcomes = {o.external_id: o for o in Outcome.objects.filter(issuer_institution=a.institution)}
    assert [r["outcome_id"] for r in report["items"]] == [
        outcomes["EXT-00001"].pk, outcomes["EXT-00002"].pk, outcomes["EXT-00003"].pk, outcomes["EXT-00004"].pk,
        None, None,
    ]  # fmt: skip
    learner_a, learner_b, learner_c = a.learners
    assert {k: (o.user_id, o.status, o.source, o.certified_credits) for k, o in outcomes.items()} == {
        "EXT-00001": (learner_a.pk, "certified", "institution", Decimal("2.50")),
        "EXT-00002": (learner_b.pk, "certified", "institution", Decimal("2.00")),
        "EXT-00003": (learner_c.pk, "certified", "institution", Decimal("4.50")),
        "EXT-00004": (learner_a.pk, "certified", "institution", Decimal("1.50")),
    }
    assert (outcomes["EXT-00002"].result_scheme, outcomes["EXT-00002"].result_value) == ("five_level", "良")
    assert {a.user_id: a.available for a in CreditAccount.objects.all()} == {
        learner_a.pk: Decimal("4.00"), learner_b.pk: Decimal("2.00"), learner_c.pk: Decimal("4.50"),
    }  # fmt: skip
    assert LedgerEntry.objects.filter(kind="deposit").count() == 4
    assert {o.deposit_entry_id for o in outcomes.values()} == set(LedgerEntry.objects.values_list("id", flat=True))
    call_command("verify_ledger", stdout=io.StringIO())
    # the file is deleted once the job has ended
    assert ImportFileChunk.objects.count() == 0


def test_the_same_file_again_is_all_duplicates(two, files, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two[0].issuer)
    data = csv_bytes(files)
    first = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", data)).json()
    again = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", data)).json()
    assert first["id"] != again["id"]
    job = api.get(f"/api/v1/institutions/uni-a/imports/{again['id']}").json()
    assert (job["accepted"], job["duplicates"], job["errors"]) == (0, 5, 1)
    assert Outcome.objects.count() == LedgerEntry.objects.count() == 4
    duplicates = api.get(f"/api/v1/institutions/uni-a/imports/{again['id']}/rows", {"status": "duplicate"}).json()
    assert [r["row"] for r in duplicates["items"]] == [2, 3, 4, 5, 7]


def test_an_idempotency_key_answers_the_same_job(two, files, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two[0].issuer)
    data = csv_bytes(files)
    first = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", data, **{"Idempotency-Key": "f1"}))
    again = send(api, "uni-a", data, **{"Idempotency-Key": "f1"})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert ImportJob.objects.count() == 1
    other = send(api, "uni-a", csv_bytes(files[:2]), **{"Idempotency-Key": "f1"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")


def test_the_job_list(two, files, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two[0].issuer)
    for _ in range(3):
        run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", csv_bytes(files)))
    listing = api.get("/api/v1/institutions/uni-a/imports", {"limit": 2}).json()
    assert listing["count"] == 3
    assert [j["id"] for j in listing["items"]] == list(
        ImportJob.objects.order_by("-created_at", "-id").values_list("id", flat=True)[:2]
    )
    assert api.get("/api/v1/institutions/uni-b/imports").status_code == 404


def test_the_report_filters_and_pages(two, files, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two[0].issuer)
    job = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", csv_bytes(files))).json()
    path = f"/api/v1/institutions/uni-a/imports/{job['id']}/rows"
    errors = api.get(path, {"status": "error"}, headers={"Accept-Language": "zh-hans"}).json()
    assert errors["count"] == 1
    assert errors["items"][0]["row"] == 6
    assert errors["items"][0]["message"] == ImportRow.objects.get(row=6).message_zh != ""
    assert [r["row"] for r in api.get(path, {"row_from": 5, "limit": 1, "offset": 1}).json()["items"]] == [6]
    bad = api.get(path, {"status": "pending"})
    assert (bad.status_code, bad.json()["code"], bad.json()["allowed"]) == (
        400, "choice_invalid", ["accepted", "duplicate", "error"],
    )  # fmt: skip


def test_rows_get_the_codes_and_messages_of_the_json_deposit(two, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a = two[0]
    learner = a.learners[0]
    bad = [
        outcome_row(learner, 1, credits="-1"),
        outcome_row(learner, 2, credits="1e3", hours="0", level="11"),
        outcome_row(learner, 3, type="degree", title=""),
        outcome_row(learner, 4, external_id="has space"),
        outcome_row(learner, 5, achieved_on="2999-01-01"),
        outcome_row(learner, 6, result_scheme="percentage", result_value="59"),
        outcome_row(learner, 7, result_scheme="", result_value="88"),
        outcome_row(None, 8),
        outcome_row(learner, 9, code="no spaces allowed"),
        outcome_row(learner, 10, expires_on="2020-01-01"),
    ]
    api = as_user(a.issuer)
    job = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", csv_bytes(bad))).json()
    for language in ("en", "zh-hans"):
        report = api.get(f"/api/v1/institutions/uni-a/imports/{job['id']}/rows", headers={"Accept-Language": language})
        from django.utils import translation

        with translation.override(language):
            deposit = outcomes_deposit(institution=a.institution, rows=[_json_row(r) for r in bad], deposited_by="test")
        assert [(r["code"], r["field"], r["message"]) for r in report.json()["items"]] == [
            (e["code"], e["field"], e["message"]) for e in deposit.errors
        ]
    assert [r["code"] for r in report.json()["items"]] == [
        "credits_invalid", "credits_invalid", "outcome_type_invalid", "external_id_invalid", "date_invalid",
        "result_not_passing", "result_invalid", "learner_required", "outcome_code_invalid", "date_invalid",
    ]  # fmt: skip
    assert Outcome.objects.count() == 0


def _json_row(row: dict[str, str]) -> dict[str, Any]:
    """The JSON deposit's form of a file row (empty cells left out, as a system would send it)."""
    out: dict[str, Any] = {"learner": {k: row[k] for k in ("account_no", "id_number") if row[k]}}
    for key, value in row.items():
        if key not in ("account_no", "id_number", "result_scheme", "result_value") and value != "":
            out[key] = value
    if row["result_scheme"] or row["result_value"]:
        out["result"] = {"scheme": row["result_scheme"], "value": row["result_value"]}
    return out


# --- refused files: a clear code, and nothing stored ---------------------------------------------------


@pytest.fixture
def files_before() -> set[str]:
    return vault_files()


def _nothing_stored(files_before: set[str]) -> None:
    assert ImportJob.objects.count() == ImportFileChunk.objects.count() == Outcome.objects.count() == 0
    assert vault_files() == files_before


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


def _zip_not_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"", "empty.csv", 400, "upload_empty"),
        (None, "", 400, "upload_missing"),
        (_png(), "photo.csv", 400, "import_file_type"),
        (b"%PDF-1.4\n\x00\x01binary", "doc.xlsx", 400, "import_file_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", 400, "import_file_type"),
        (_zip_not_xlsx(), "letter.xlsx", 400, "import_file_type"),
        (b"PK\x03\x04 broken zip", "broken.xlsx", 400, "import_file_unreadable"),
        ("成果编号,学分\r\n".encode("utf-16-le"), "utf16.csv", 400, "import_file_type"),
        (b"\x81\x30\xff\xfe" * 4 + b"\n", "binary.csv", 400, "import_encoding"),
        (csv_bytes([]), "header-only.csv", 400, "import_no_rows"),
        (b"\r\n\r\n", "blank.csv", 400, "import_no_rows"),
        (csv_bytes([outcome_row(None, 1)]) + b'"unclosed,' + b"x" * 200_000, "quote.csv", 400, "import_file_unreadable"),
    ],
    ids=["empty", "missing", "png", "pdf", "xls", "docx", "broken-zip", "utf16", "encoding", "header-only", "blank",
         "bad-quote"],
)  # fmt: skip
def test_a_refused_file_stores_nothing(two, data, name, status, code, files_before) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two[0].issuer)
    body = {"file": upload(data, name)} if data is not None else {}
    response = api.post("/api/v1/institutions/uni-a/imports", body, multipart=True)
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    assert list(response.json()["errors"]) == ["file"]
    _nothing_stored(files_before)


def test_missing_columns_are_named_all_at_once(two, files_before) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two[0].issuer)
    header = ["external_id", "成果名称", "学分 (credits)", "备注", "title"]
    response = send(api, "uni-a", csv_bytes([outcome_row(None, 1)], header=header))
    body = response.json()
    assert (response.status_code, body["code"]) == (400, "import_columns")
    assert body["missing"] == ["account_no|id_number", "type", "achieved_on"]
    assert (body["unknown"], body["repeated"]) == (["备注"], ["title"])
    _nothing_stored(files_before)


def test_a_file_over_the_limit_is_413(two, monkeypatch, files_before) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "MAX_FILE_BYTES", 1000)
    api = as_user(two[0].issuer)
    data = csv_bytes([outcome_row(two[0].learners[0], n) for n in range(20)])
    assert len(data) > 1000
    response = send(api, "uni-a", data)
    assert (response.status_code, response.json()["code"], response.json()["max_bytes"]) == (
        413, "upload_too_large", 1000,
    )  # fmt: skip
    _nothing_stored(files_before)


def test_a_gb18030_csv_is_read(two, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a = two[0]
    api = as_user(a.issuer)
    data = csv_bytes([outcome_row(a.learners[0], 1, title="数据结构与算法")], encoding="gb18030")
    job = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", data)).json()
    assert api.get(job["url"].removeprefix("http://testserver")).json()["accepted"] == 1
    assert Outcome.objects.get().title == "数据结构与算法"
    assert ImportJob.objects.get().encoding == "gb18030"


# --- who may -----------------------------------------------------------------------------------------


def test_clients_with_the_scope_import_and_others_are_refused(two, files, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a, _b = two
    client, secret = make_client(a.institution, admin=a.admin, scopes=("imports:write",))
    narrow, narrow_secret = make_client(a.institution, admin=a.admin, scopes=("outcomes:write",))
    api = Api(Client())

    def token(client_id: str, secret: str) -> str:
        response = api.post(
            "/api/v1/auth/token",
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        return str(response.json()["access_token"])

    api.token = token(client.client_id, secret)
    response = run_jobs(django_capture_on_commit_callbacks, lambda: send(api, "uni-a", csv_bytes(files)))
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert (job.client_id, job.created_by_id) == (client.client_id, None)
    assert api.get(f"/api/v1/institutions/uni-a/imports/{job.pk}").json()["accepted"] == 4
    other = send(api, "uni-b", csv_bytes(files))
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    api.token = token(narrow.client_id, narrow_secret)
    refused = send(api, "uni-a", csv_bytes(files))
    assert (refused.status_code, refused.json()["code"], refused.json()["required"]) == (
        403, "insufficient_scope", "imports:write",
    )  # fmt: skip
    assert api.get(f"/api/v1/institutions/uni-a/imports/{job.pk}").json()["code"] == "insufficient_scope"
    assert ImportJob.objects.count() == 1


def test_another_institutions_job_is_not_found_and_logged(
    two, files, caplog, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    job = run_jobs(
        django_capture_on_commit_callbacks, lambda: send(as_user(a.issuer), "uni-a", csv_bytes(files))
    ).json()
    other = as_user(b.issuer)
    with caplog.at_level(logging.WARNING, logger="creditbank.outcomes.access"):
        for path in (
            f"/api/v1/institutions/uni-b/imports/{job['id']}",
            f"/api/v1/institutions/uni-b/imports/{job['id']}/rows",
        ):
            response = other.get(path)
            assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert f"asked for import {job['id']}" in caplog.text
    missing = other.get("/api/v1/institutions/uni-b/imports/999999")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    # and another institution's path
    with caplog.at_level(logging.WARNING, logger="creditbank.institutions.access"):
        assert other.get(f"/api/v1/institutions/uni-a/imports/{job['id']}").status_code == 404
        assert send(other, "uni-a", csv_bytes(files)).status_code == 404
    assert "asked for institution uni-a" in caplog.text
    assert ImportJob.objects.count() == 1


def test_learners_admins_and_strangers_may_not(two, files) -> None:  # type: ignore[no-untyped-def]
    a, _b = two
    for user in (a.learners[0], a.admin):
        api = as_user(user)
        response = send(api, "uni-a", csv_bytes(files))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert api.get("/api/v1/institutions/uni-a/imports").status_code == 404
    anonymous = Api(Client()).post(
        "/api/v1/institutions/uni-a/imports", {"file": upload(csv_bytes(files))}, multipart=True
    )
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert ImportJob.objects.count() == 0


# --- the data standard (public) ------------------------------------------------------------------------


def test_the_templates_and_the_row_schema(api) -> None:  # type: ignore[no-untyped-def]
    csv_response = api.get("/api/v1/outcome-imports/template.csv")
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == 'attachment; filename="outcome-import-template.csv"'
    text = csv_response.content.decode("utf-8")
    assert text.startswith("\ufeff学分银行账号 (account_no),身份证号 (id_number),成果编号 (external_id)")
    header, sample = [line.split(",") for line in text.lstrip("\ufeff").strip().split("\r\n")]
    assert header == HEADER
    assert sample[:4] == ["100000000008", "", "2024-MATH101-0001", "academic_credit"]

    xlsx = api.get("/api/v1/outcome-imports/template.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [list(r) for r in rows] == [HEADER, [s or None for s in sample]]
    assert book.sheetnames == ["成果 outcomes", "说明 README"]

    schema_response = api.get("/api/v1/outcome-imports/row.schema.json")
    assert schema_response["Content-Type"] == "application/schema+json; charset=utf-8"
    schema = json.loads(schema_response.content)
    assert schema["$id"] == "http://testserver/api/v1/outcome-imports/row.schema.json"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(dict(zip([h.split("(")[1][:-1] for h in header], sample, strict=True)))) == []
    row = outcome_row(None, 1, account_no="100000000008")
    assert validator.is_valid(row)
    for bad in ({"credits": "4.555"}, {"type": "degree"}, {"account_no": ""}, {"result_value": "优秀"}):
        assert not validator.is_valid({**row, **bad}), bad
