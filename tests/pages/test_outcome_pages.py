"""The outcomes pages: record → apply → a reviewer of the institution decides → the learner sees it;
errors next to their field; other people's outcomes and applications are 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from creditbank.outcomes.models import CertificationApplication, Outcome
from creditbank.outcomes.tests.factories import make_school, make_standard, make_standard_editor, self_report
from tests.browser.conftest import tr
from tests.factories import LearnerFactory, VerifiedLearnerFactory, proof_jpeg

pytestmark = pytest.mark.django_db

FORM = {
    "type": "academic_credit", "title": "高等数学 A", "code": "MATH101", "issuer": "uni-a", "achieved_on": "2025-07-01",
    "credits": "4.5", "result_scheme": "five_level", "result_value": "良", "level": "6",
}  # fmt: skip


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.account_no, password=PASSWORD)
    return client


def test_record_apply_and_decide_through_the_pages() -> None:
    school = make_school("uni-a")
    make_standard(editor=make_standard_editor(), owner="uni-a", credits="4.00")
    learner = VerifiedLearnerFactory()
    client = signed_in(learner)
    response = client.post("/outcomes/new/", {**FORM, "evidence": [proof_jpeg()]})
    outcome = Outcome.objects.get(user=learner)
    assert response.status_code == 302 and response["Location"] == f"/outcomes/{outcome.pk}/"
    page = client.get(f"/outcomes/{outcome.pk}/").content.decode()
    assert tr("Apply for certification: a reviewer checks the outcome and its evidence.") in page
    client.post(f"/outcomes/{outcome.pk}/apply/")
    application = CertificationApplication.objects.get(outcome=outcome)

    reviewer = signed_in(school.reviewer)
    assert "高等数学 A" in reviewer.get("/review/certifications/").content.decode()
    home = reviewer.get("/").content.decode()
    assert 'data-queue="certifications" data-pending="1"' in home
    refused = reviewer.post(f"/review/certifications/{application.pk}/", {"decision": "approve", "credits": "5"})
    assert refused.status_code == 400
    assert tr("At most %(max)s credits can be granted for this outcome.") % {"max": "4.00"} in refused.content.decode()
    decided = reviewer.post(f"/review/certifications/{application.pk}/", {"decision": "approve"})
    assert decided.status_code == 302
    outcome.refresh_from_db()
    assert outcome.status == "certified"
    dashboard = client.get("/").content.decode()
    assert 'data-testid="latest-decision"' in dashboard and "+4.00" in dashboard
    credits = client.get("/credits/").content.decode()
    assert "4.00" in credits
    assert f'href="/outcomes/{outcome.pk}/">高等数学 A</a>' in credits  # the ledger names the outcome


def test_field_errors_next_to_the_field_and_nothing_stored() -> None:
    client = signed_in(VerifiedLearnerFactory())
    response = client.post("/outcomes/new/", {**FORM, "credits": "-2", "achieved_on": "2099-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_credits_errors"' in html and 'id="id_achieved_on_errors"' in html
    assert not Outcome.objects.exists()


def test_unverified_learners_are_told_what_to_do() -> None:
    html = signed_in(LearnerFactory()).get("/outcomes/").content.decode()
    assert 'data-testid="not-verified"' in html


def test_other_peoples_outcomes_and_applications_are_not_found() -> None:
    school, other = make_school("uni-a"), make_school("uni-b")
    owner = VerifiedLearnerFactory()
    outcome = self_report(owner, issuer="uni-a")
    from creditbank.outcomes import services

    application = services.certification_apply(user=owner, outcome_id=outcome.pk)
    stranger = signed_in(VerifiedLearnerFactory())
    assert stranger.get(f"/outcomes/{outcome.pk}/").status_code == 404
    assert stranger.get(f"/outcomes/{outcome.pk}/evidence/{outcome.evidence.get().pk}/").status_code == 404
    assert stranger.get("/review/certifications/").status_code == 404
    b = signed_in(other.reviewer)
    assert b.get(f"/review/certifications/{application.pk}/").status_code == 404
    assert b.post(f"/review/certifications/{application.pk}/", {"decision": "approve"}).status_code == 404
    assert signed_in(school.reviewer).get(f"/review/certifications/{application.pk}/").status_code == 200


def test_public_standards_pages() -> None:
    standard = make_standard(editor=make_standard_editor(), code="MATH101", credits="4.00")
    client = Client()
    listing = client.get("/standards/", {"q": "math"}).content.decode()
    assert "MATH101" in listing
    detail = client.get(f"/standards/{standard.pk}/").content.decode()
    assert standard.hash in detail and "4.00" in detail
    assert client.get("/standards/999999/").status_code == 404


def test_an_issuer_revokes_a_deposited_outcome_on_its_page() -> None:
    from creditbank.outcomes import services
    from creditbank.outcomes.tests.factories import deposit_row

    school, other = make_school("uni-a"), make_school("uni-b")
    learner = VerifiedLearnerFactory()
    report = services.outcomes_deposit(
        institution=school.institution, rows=[deposit_row(learner, "D-1")], deposited_by="t"
    )
    outcome_id = report.outcome_ids[0]
    issuer = signed_in(school.issuer)
    home = issuer.get("/").content.decode()
    assert 'data-institution="uni-a"' in home and "/institutions/uni-a/outcomes/" in home
    assert "/institutions/uni-a/imports/" in home  # an issuer who is not an admin reaches the file imports too
    page = issuer.get("/institutions/uni-a/outcomes/", {"q": "D-1"}).content.decode()
    assert 'data-testid="deposit-row"' in page and learner.account_no in page
    refused = issuer.post("/institutions/uni-a/outcomes/", {"outcome_id": outcome_id, "reason": ""})
    assert refused.status_code == 400
    assert signed_in(other.issuer).get("/institutions/uni-a/outcomes/").status_code == 404
    assert signed_in(school.reviewer).get("/institutions/uni-a/outcomes/").status_code == 404
    other_post = signed_in(other.issuer).post(
        "/institutions/uni-b/outcomes/", {"outcome_id": outcome_id, "reason": "x"}
    )
    assert other_post.status_code == 400  # not one of uni-b's deposits: refused next to the form, nothing changed
    assert Outcome.objects.get(pk=outcome_id).status == "certified"
    done = issuer.post("/institutions/uni-a/outcomes/", {"outcome_id": outcome_id, "reason": "成绩录入错误"})
    assert done.status_code == 302
    assert Outcome.objects.get(pk=outcome_id).status == "revoked"


def test_standards_editors_draft_publish_and_revise_on_pages() -> None:
    from creditbank.outcomes.models import CertificationStandard

    staff = signed_in(make_standard_editor())
    form = {"owner": "", "outcome_type": "mooc", "code": "MOOC-PY", "title_zh": "Python 入门", "credits": "0",
            "valid_from": "2026-01-01"}  # fmt: skip
    refused = staff.post("/standards/manage/", form)
    assert refused.status_code == 400 and 'id="id_credits_errors"' in refused.content.decode()
    assert staff.post("/standards/manage/", {**form, "credits": "2"}).status_code == 302
    standard = CertificationStandard.objects.get()
    assert staff.post(f"/standards/manage/{standard.pk}/", {"action": "publish"}).status_code == 302
    standard.refresh_from_db()
    assert standard.status == "published" and len(standard.hash) == 64
    assert staff.post(f"/standards/manage/{standard.pk}/", {"action": "revise"}).status_code == 302
    assert CertificationStandard.objects.filter(status="draft", version=2).count() == 1
    learner = signed_in(VerifiedLearnerFactory())
    assert learner.get("/standards/manage/").status_code == 404
    assert learner.get(f"/standards/manage/{standard.pk}/").status_code == 404
    school = make_school("uni-a")
    admin = signed_in(school.admin)
    assert admin.get(f"/standards/manage/{standard.pk}/").status_code == 404  # the bank's, not theirs
    assert admin.post("/standards/manage/", {**form, "owner": "uni-a", "credits": "2"}).status_code == 302
