"""The reviewer's note reaches the learner, on the page and in the email, whatever the decision."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from conftest import Api, make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.identity import services as identity_services
from creditbank.identity.specimens import card_back
from creditbank.profiles import services as profile_services
from creditbank.profiles.services.change_requests import REASON_CODES
from tests.factories import VerificationAttemptFactory


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def tr(msgid: str, lang: str = "zh-hans") -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


NOTE_LABEL = "Reviewer's note:"


def _decided_verification(make_learner, commit, decision: str, note: str):  # type: ignore[no-untyped-def]
    learner = make_learner()
    attempt = VerificationAttemptFactory(user=learner)
    mail.outbox.clear()
    with commit():
        identity_services.verification_decide(
            reviewer=make_reviewer_user(),
            attempt_id=attempt.pk,
            decision=decision,
            reason_code="photo_unclear" if decision == "reject" else "",
            note=note,
        )
    return learner


def test_the_note_on_an_approval_shows_on_the_verification_page_in_the_api_and_in_the_email(
    make_learner, commit, client
) -> None:  # type: ignore[no-untyped-def]
    note = "照片清晰，已通过。下次更换身份证后请更新资料。"
    learner = _decided_verification(make_learner, commit, "approve", note)
    [email] = mail.outbox
    assert email.to == [learner.email]
    assert f"{tr(NOTE_LABEL)} {note}" in email.body
    client.force_login(learner)
    page = client.get("/verification/").content.decode()
    shown = re.search(r'<p data-testid="reviewer-note">(.*?)</p>', page, re.S)
    assert shown, "the note is not on the page"
    assert shown.group(1) == f"{tr(NOTE_LABEL)} {note}"
    api = Api(Client())
    api.login(learner.email)
    assert api.get("/api/v1/me/verification").json()["note"] == note


def test_an_approval_without_a_note_says_nothing_about_one(make_learner, commit, client) -> None:  # type: ignore[no-untyped-def]
    learner = _decided_verification(make_learner, commit, "approve", "")
    [email] = mail.outbox
    assert tr(NOTE_LABEL) not in email.body
    client.force_login(learner)
    assert 'data-testid="reviewer-note"' not in client.get("/verification/").content.decode()


def test_the_note_on_a_rejection_is_in_the_email_too(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    note = "反光，请在室内重新拍摄。"
    learner = _decided_verification(make_learner, commit, "reject", note)
    [email] = mail.outbox
    assert email.to == [learner.email]
    assert f"{tr(NOTE_LABEL)} {note}" in email.body


def _change_request(learner):  # type: ignore[no-untyped-def]
    return profile_services.change_request_create(
        user=learner,
        field="name",
        new_value="李四",
        reason="改名",
        proofs=[SimpleUploadedFile("p.jpg", card_back(seed=6), content_type="image/jpeg")],
    )


@pytest.mark.parametrize(("decision", "reason_code"), [("approve", ""), ("reject", "info_mismatch")])
def test_a_change_request_decision_shows_reason_and_note_on_the_page_and_in_the_email(
    make_learner, commit, decision, reason_code
) -> None:  # type: ignore[no-untyped-def]
    learner = make_learner(AccountStatus.VERIFIED)
    request = _change_request(learner)
    note = "户口簿页已核对。"
    mail.outbox.clear()
    with commit():
        profile_services.change_request_decide(
            reviewer=make_reviewer_user(), request_id=request.pk, decision=decision, reason_code=reason_code, note=note
        )
    [email] = mail.outbox
    assert f"{tr(NOTE_LABEL)} {note}" in email.body
    client = Client()
    client.force_login(learner)
    page = client.get("/profile/change-requests/").content.decode()
    row = re.search(r'<tr data-testid="my-request".*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r'<p data-testid="reviewer-note">(.*?)</p>', row).group(1) == f"{tr(NOTE_LABEL)} {note}"  # type: ignore[union-attr]
    if reason_code:
        with translation.override("zh-hans"):
            reason = str(REASON_CODES[reason_code])
        assert re.search(r'<p data-testid="decision-reason">(.*?)</p>', row).group(1) == reason  # type: ignore[union-attr]
        assert reason in email.body
    else:
        assert 'data-testid="decision-reason"' not in row
