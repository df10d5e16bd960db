"""The home page of a staff account shows staff work, and learner state only where it applies."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from conftest import make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.identity.specimens import card_back
from creditbank.notices import services as notice_services
from creditbank.profiles.services import change_request_create
from tests.factories import VerificationAttemptFactory


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def tr(msgid: str, lang: str = "zh-hans") -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


def main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def queues(html: str) -> dict[str, tuple[str, int]]:
    """queue -> (link, pending count) of the staff card."""
    rows = re.findall(r'<li data-queue="([a-z_]+)" data-pending="(\d+)"><a href="([^"]+)">', html)
    return {name: (href, int(n)) for name, n, href in rows}


def _work(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    """One pending verification, one pending change request, two open tickets and an answered one."""
    pending = make_learner()
    VerificationAttemptFactory(user=pending)
    verified = make_learner(AccountStatus.VERIFIED)
    change_request_create(
        user=verified,
        field="name",
        new_value="李四",
        reason="改名",
        proofs=[SimpleUploadedFile("p.jpg", card_back(seed=3), content_type="image/jpeg")],
    )
    for subject in ("一", "二"):
        notice_services.ticket_open(user=pending, category="other", subject=subject, message="？")
    answered = notice_services.ticket_open(user=verified, category="other", subject="三", message="？")
    with commit():
        notice_services.ticket_reply_by_staff(staff=make_reviewer_user(), ticket_id=answered.pk, message="好")


def test_a_reviewers_home_shows_every_queue_with_its_count_and_no_learner_verification(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    _work(make_learner, commit)
    staff = Client()
    staff.force_login(make_reviewer_user())
    html = staff.get("/").content.decode()
    assert queues(html) == {
        "verifications": ("/review/verifications/", 1),
        "change_requests": ("/review/change-requests/", 1),
        "support_tickets": ("/support/queue/", 2),
    }
    body = main(html)
    assert re.search(r'<dd data-testid="status">([^<]*)</dd>', body).group(1) == tr("Bank staff")  # type: ignore[union-attr]
    assert tr("Activated (real-name verification needed)") not in html
    assert tr("Your account is verified: record your learning outcomes and apply for their certification.") not in html
    assert tr("Open real-name verification") not in html
    assert 'href="/verification/"' not in html  # neither a card nor a menu entry asks staff to verify
    assert 'data-testid="staff-work"' in body.split('aria-labelledby="status-h"')[0]  # staff work comes first


def test_staff_see_only_the_queues_they_may_work(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    _work(make_learner, commit)
    support = Client()
    support.force_login(make_reviewer_user(perms=("answer_ticket",)))
    assert queues(support.get("/").content.decode()) == {"support_tickets": ("/support/queue/", 2)}
    plain = Client()
    plain.force_login(make_reviewer_user(perms=()))
    html = plain.get("/").content.decode()
    assert queues(html) == {}
    assert 'data-testid="staff-work"' not in html
    assert 'href="/verification/"' not in html


def test_learners_keep_their_verification_card_and_get_no_staff_card(make_learner) -> None:  # type: ignore[no-untyped-def]
    learner = Client()
    learner.force_login(make_learner())
    html = learner.get("/").content.decode()
    assert tr("Open real-name verification") in html
    assert re.search(r'<dd data-testid="status">([^<]*)</dd>', html).group(1) == tr(  # type: ignore[union-attr]
        "Activated (real-name verification needed)"
    )
    assert 'data-testid="staff-work"' not in html
    verified = Client()
    verified.force_login(make_learner(AccountStatus.VERIFIED))
    page = verified.get("/").content.decode()
    assert tr("Your account is verified: record your learning outcomes and apply for their certification.") in page
    assert tr("Open real-name verification") not in page
