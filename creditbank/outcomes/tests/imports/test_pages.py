"""The issuers' import pages: upload with the template at hand, the list, a job's progress and report."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from creditbank.institutions.tests.factories import make_manager
from creditbank.outcomes.models import ImportJob, Outcome
from creditbank.outcomes.tests.imports.files import csv_bytes, make_setting, outcome_row, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_learner):  # type: ignore[no-untyped-def]
    manager = make_manager()
    return make_setting("uni-a", make_learner, manager=manager), make_setting("uni-b", make_learner, manager=manager)


def browser(user: Any, language: str = "zh-hans") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


def rows(setting: Any) -> list[dict[str, str]]:
    a, b, _c = setting.learners
    return [outcome_row(a, 1), outcome_row(b, 2), outcome_row(None, 3), outcome_row(a, 1)]


def test_an_issuer_uploads_a_file_and_follows_its_job(two, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a, _b = two
    client = browser(a.issuer, "en")
    page = client.get("/institutions/uni-a/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'href="/api/v1/outcome-imports/template.xlsx"' in html and 'href="/api/v1/outcome-imports/template.csv"' in html
    )
    assert "学分 (credits)" in html and "No imports yet." in html
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/institutions/uni-a/imports/", {"file": upload(csv_bytes(rows(a)), "term.csv")})
    job = ImportJob.objects.get()
    assert (sent.status_code, sent["Location"]) == (302, f"/institutions/uni-a/imports/{job.pk}/")
    shown = client.get(sent["Location"]).content.decode()
    assert "File received" in shown
    assert '<progress id="import-progress" class="import-progress" max="4" value="4">' in shown
    assert 'data-count="accepted">2<' in shown and 'data-count="duplicates">1<' in shown
    assert 'data-count="errors">1<' in shown
    assert "Correct the rows with errors" in shown
    assert shown.count('data-testid="report-row"') == 4
    assert "learner_required" in shown and "Name the learner by account_no or id_number." in shown
    assert "import-progress.js" not in shown  # it has ended: nothing to poll
    errors = client.get(f"/institutions/uni-a/imports/{job.pk}/?status=error").content.decode()
    assert errors.count('data-testid="report-row"') == 1
    listing = client.get("/institutions/uni-a/imports/").content.decode()
    assert "term.csv" in listing and "2 deposited · 1 duplicates · 1 errors" in listing


def test_a_running_job_polls_and_says_so(two, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from creditbank.outcomes import tasks

    a, _b = two
    monkeypatch.setattr(tasks, "run_import", type("Q", (), {"enqueue": staticmethod(lambda job_id: None)}))
    client = browser(a.issuer)
    client.post("/institutions/uni-a/imports/", {"file": upload(csv_bytes(rows(a)))})
    job = ImportJob.objects.get()
    shown = client.get(f"/institutions/uni-a/imports/{job.pk}/").content.decode()
    assert f'data-import-poll="/api/v1/institutions/uni-a/imports/{job.pk}"' in shown
    assert "js/import-progress.js" in shown
    assert 'max="4" value="0"' in shown
    assert "等待开始" in shown or "Waiting to start" in shown


def test_a_refused_file_is_explained_next_to_the_field(two) -> None:  # type: ignore[no-untyped-def]
    a, _b = two
    client = browser(a.issuer, "en")
    page = client.post("/institutions/uni-a/imports/", {"file": upload(b"just,some,columns\r\n1,2,3\r\n")})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_file_errors"' in html and "Missing columns" in html
    none = client.post("/institutions/uni-a/imports/", {})
    assert none.status_code == 400 and "Choose a CSV or XLSX file." in none.content.decode()
    empty = client.post("/institutions/uni-a/imports/", {"file": upload(b"")})
    assert empty.status_code == 400 and 'id="id_file_errors"' in empty.content.decode()
    assert ImportJob.objects.count() == Outcome.objects.count() == 0


def test_only_the_institutions_issuers_see_its_imports(two, caplog, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    with django_capture_on_commit_callbacks(execute=True):
        browser(a.issuer).post("/institutions/uni-a/imports/", {"file": upload(csv_bytes(rows(a)))})
    job = ImportJob.objects.get()
    with caplog.at_level(logging.WARNING):
        for user in (b.issuer, a.learners[0], a.admin):
            client = browser(user)
            assert client.get(f"/institutions/uni-a/imports/{job.pk}/").status_code == 404
            assert client.get("/institutions/uni-a/imports/").status_code == 404
            assert client.post("/institutions/uni-a/imports/", {"file": upload(csv_bytes(rows(a)))}).status_code == 404
        assert browser(b.issuer).get(f"/institutions/uni-b/imports/{job.pk}/").status_code == 404
    assert f"asked for import {job.pk}" in caplog.text
    anonymous = Client().get("/institutions/uni-a/imports/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert ImportJob.objects.count() == 1


def test_the_institution_page_links_issuers_to_the_imports(two, make_learner) -> None:  # type: ignore[no-untyped-def]
    from creditbank.institutions import services

    a, _b = two
    assert 'data-testid="imports-link"' not in browser(a.admin).get("/institutions/uni-a/manage/").content.decode()
    services.member_add(actor=a.admin, code="uni-a", account=a.admin.account_no, role="issuer")
    html = browser(a.admin).get("/institutions/uni-a/manage/").content.decode()
    assert 'href="/institutions/uni-a/imports/" data-testid="imports-link"' in html
