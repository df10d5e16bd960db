"""The change request page: gender is chosen from a list; decisions show the reviewer's note."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from creditbank.accounts.models import AccountStatus
from creditbank.identity.specimens import card_back
from creditbank.profiles.models import ChangeRequest
from tests.pages.test_pages import field_block


def tr(msgid: str, lang: str = "zh-hans") -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


def proof() -> SimpleUploadedFile:
    return SimpleUploadedFile("proof.jpg", card_back(seed=4), content_type="image/jpeg")


@pytest.fixture
def learner(make_learner):  # type: ignore[no-untyped-def]
    client = Client()
    client.user = make_learner(AccountStatus.VERIFIED)
    client.force_login(client.user)
    return client


def test_gender_is_a_choice_of_male_or_female(learner) -> None:  # type: ignore[no-untyped-def]
    page = learner.get("/profile/change-requests/").content.decode()
    select = re.search(r'<select name="new_gender"[^>]*>(.*?)</select>', page, re.S)
    assert select, "no gender select"
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options == [("", "—"), ("M", tr("Male")), ("F", tr("Female"))]
    assert [label for _, label in options[1:]] == ["男", "女"]
    other = "F" if learner.user.gender == "M" else "M"
    response = learner.post(
        "/profile/change-requests/",
        {"field": "gender", "new_value": "", "new_gender": other, "reason": "更正性别", "proof": proof()},
    )
    assert response.status_code == 302
    request = ChangeRequest.objects.get()
    assert (request.field, request.new_value_masked, request.old_value_masked) == ("gender", other, learner.user.gender)


def test_gender_left_unchosen_is_an_error_next_to_the_select(learner) -> None:  # type: ignore[no-untyped-def]
    response = learner.post(
        "/profile/change-requests/", {"field": "gender", "new_value": "男", "reason": "更正性别", "proof": proof()}
    )
    assert response.status_code == 400
    block = field_block(response.content.decode(), "new_gender")
    assert "has-error" in block
    assert tr("Choose the new gender.") in block
    assert not ChangeRequest.objects.exists()


def test_the_same_gender_again_is_refused_next_to_the_select(learner) -> None:  # type: ignore[no-untyped-def]
    response = learner.post(
        "/profile/change-requests/",
        {"field": "gender", "new_gender": learner.user.gender, "reason": "更正性别", "proof": proof()},
    )
    assert response.status_code == 400
    block = field_block(response.content.decode(), "new_gender")
    assert tr("This is already your gender.") in block
    assert not ChangeRequest.objects.exists()


def test_proofs_are_shown_and_downloaded_under_their_own_names(learner) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    from conftest import Api, make_reviewer_user
    from creditbank.profiles.models import ChangeRequestProof

    named = SimpleUploadedFile("户口簿 第3页.png", card_back(seed=8), content_type="image/png")
    response = learner.post(
        "/profile/change-requests/", {"field": "name", "new_value": "王五", "reason": "改名", "proof": named}
    )
    assert response.status_code == 302
    proof = ChangeRequestProof.objects.get()
    assert proof.filename == "户口簿 第3页.png"
    staff = Client()
    reviewer = make_reviewer_user()
    staff.force_login(reviewer)
    page = staff.get(f"/review/change-requests/{proof.request_id}/").content.decode()
    assert '<figcaption data-testid="proof-name">户口簿 第3页.png</figcaption>' in page
    download = staff.get(f"/review/change-requests/{proof.request_id}/proof/{proof.pk}/")
    assert download["Content-Disposition"] == (
        f'attachment; filename="proof-{proof.request_id}-{proof.pk}.jpg"; '
        f"filename*=UTF-8''{quote('户口簿 第3页.jpg', safe='')}"
    )
    api = Api(Client())
    api.login(reviewer.email)
    item = api.get(f"/api/v1/review/change-requests/{proof.request_id}").json()
    assert [p["filename"] for p in item["proofs"]] == ["户口簿 第3页.png"]
