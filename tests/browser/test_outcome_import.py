"""An institution's issuer imports a file of outcomes in a real browser, on a phone: the template,
the upload, the progress bar that moves while the job runs, and the row-by-row report."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from creditbank.institutions.tests.factories import make_manager
from creditbank.outcomes import tasks
from creditbank.outcomes.models import ImportJob, Outcome
from creditbank.outcomes.services.imports import import_run
from creditbank.outcomes.tests.imports.files import csv_bytes, make_setting, outcome_row
from tests.browser.conftest import log_in, shot, switch_language, tr

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class _Queue:
    """Holds the job the upload enqueues, so that the test runs it while the page watches."""

    def __init__(self) -> None:
        self.jobs: list[int] = []

    def enqueue(self, job_id: int) -> None:
        self.jobs.append(job_id)


def test_an_issuer_imports_a_file_and_reads_the_report(new_page: Any, make_learner: Any, monkeypatch: Any) -> None:
    setting = make_setting("uni-a", make_learner, learners=2, manager=make_manager())
    a, b = setting.learners
    rows = [outcome_row(a, 1), outcome_row(b, 2, title="数据结构"), outcome_row(None, 3), outcome_row(a, 1)]
    queue = _Queue()
    monkeypatch.setattr(tasks, "run_import", queue)

    page = new_page(viewport=PHONE)
    log_in(page, setting.issuer.email)
    page.goto("/institutions/uni-a/imports/")
    expect(page.locator("h1")).to_contain_text(tr("Outcome imports"))
    links = page.locator("[data-testid=template-links] a")
    expect(links).to_have_count(2)
    with page.expect_download() as download:
        links.first.click()
    assert download.value.suggested_filename == "outcome-import-template.xlsx"
    page.set_input_files(
        "#id_file", files=[{"name": "2024秋季.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}]
    )
    with page.expect_navigation():
        page.locator("[data-testid=import-form] button[type=submit]").click()
    job = ImportJob.objects.get()
    assert queue.jobs == [job.pk]
    assert page.url.endswith(f"/institutions/uni-a/imports/{job.pk}/")
    expect(page.locator("[data-testid=job-state]")).to_have_text(tr("Waiting to start"))
    expect(page.locator("#import-progress")).to_have_attribute("value", "0")
    shot(page, "outcome-import-waiting")

    import_run(job_id=job.pk)  # the worker; the page sees it end and reloads with the report
    expect(page.locator("[data-testid=job-state]")).to_have_text(tr("Finished"))
    expect(page.locator("[data-count=accepted]")).to_have_text("2")
    expect(page.locator("[data-count=duplicates]")).to_have_text("1")
    expect(page.locator("[data-count=errors]")).to_have_text("1")
    expect(page.locator("#import-progress")).to_have_attribute("value", "4")
    report = page.locator("[data-testid=report-row]")
    expect(report).to_have_count(4)
    expect(report.nth(2)).to_have_attribute("data-status", "error")
    expect(report.nth(2)).to_contain_text("learner_required")
    expect(report.nth(2)).to_contain_text(tr("Name the learner by account_no or id_number."))
    expect(report.nth(3)).to_contain_text(tr("Deposited before"))
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")  # fits a phone
    shot(page, "outcome-import-report")

    page.select_option("#status", "error")
    with page.expect_navigation():
        page.locator("main form.inline button[type=submit]").click()
    expect(report).to_have_count(1)
    switch_language(page, "en")
    expect(report).to_contain_text("Name the learner by account_no or id_number.")
    expect(page.locator("[data-testid=next-step]")).to_contain_text("Correct the rows with errors")
    shot(page, "outcome-import-report")
    assert sorted(Outcome.objects.values_list("external_id", flat=True)) == ["EXT-00001", "EXT-00002"]
