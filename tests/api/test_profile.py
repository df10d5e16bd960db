"""/me, PATCH /me (locked fields, contacts, reviewed fields), history."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from conftest import PASSWORD, Api
from creditbank.accounts.models import AccountStatus, User
from creditbank.profiles import sms
from creditbank.profiles.models import ChangeRequest, ContactChange, ProfileHistory


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def learner_api(api, make_learner):  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.VERIFIED)
    api.login(user.email)
    api.user = user
    return api


def test_me_shows_the_whole_profile_masked(learner_api) -> None:  # type: ignore[no-untyped-def]
    me = learner_api.get("/api/v1/me").json()
    assert me["status"] == "verified"
    assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", me["id_number"])
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", me["phone"])
    assert me["address"] == ""
    assert me["pending_changes"] == []


@pytest.mark.parametrize("field", ["name", "gender", "account_no", "id_number"])
def test_locked_fields_answer_field_locked(learner_api, field) -> None:  # type: ignore[no-untyped-def]
    before = User.objects.get(pk=learner_api.user.pk)
    response = learner_api.call("PATCH", "/api/v1/me", {field: "X", "address": "北京市海淀区"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "field_locked"
    assert field in problem["errors"]
    assert problem["next_step"] == "change_request"
    after = User.objects.get(pk=learner_api.user.pk)
    assert (after.name, after.gender, after.account_no) == (before.name, before.gender, before.account_no)
    assert learner_api.get("/api/v1/me").json()["address"] == ""  # nothing half-written


def test_editable_fields_apply_and_are_in_the_history(learner_api) -> None:  # type: ignore[no-untyped-def]
    response = learner_api.call(
        "PATCH",
        "/api/v1/me",
        {
            "address": "北京市海淀区学院路 1 号",
            "education_level": "bachelor",
            "occupation": "教师",
            "emergency_contact_name": "李四",
            "emergency_contact_phone": "13900001111",
            "preferred_language": "en",
            "notify_email_notices": True,
        },
    )
    assert response.status_code == 200
    out = response.json()
    assert sorted(out["applied"]) == sorted(
        [
            "address",
            "education_level",
            "occupation",
            "emergency_contact_name",
            "emergency_contact_phone",
            "preferred_language",
            "notify_email_notices",
        ]
    )
    me = out["me"]
    assert me["address"] == "北京市海淀区学院路 1 号"
    assert me["emergency_contact_phone"] == "139****1111"
    assert me["preferred_language"] == "en"
    history = learner_api.get("/api/v1/me/history").json()
    fields = {h["field"]: h for h in history["items"]}
    assert fields["emergency_contact_phone"]["new_value"] == "139****1111"
    assert "13900001111" not in str(history)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"education_level": "phd"}, "choice_invalid", "education_level"),
        ({"address": "x" * 201}, "too_long", "address"),
        ({"address": "路\u202e1号"}, "invalid_characters", "address"),
        ({"emergency_contact_phone": "123"}, "phone_invalid", "emergency_contact_phone"),
        ({"preferred_language": "fr"}, "choice_invalid", "preferred_language"),
        ({}, "nothing_to_change", None),
    ],
)
def test_bad_profile_values(learner_api, body, code, field) -> None:  # type: ignore[no-untyped-def]
    response = learner_api.call("PATCH", "/api/v1/me", body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    if field:
        assert field in response.json()["errors"]
    assert not ProfileHistory.objects.exists()


def test_email_change_needs_password_and_the_new_address_confirms(learner_api, commit) -> None:  # type: ignore[no-untyped-def]
    old = learner_api.user.email
    no_pw = learner_api.call("PATCH", "/api/v1/me", {"email": "new@example.com"})
    assert no_pw.json()["code"] == "password_required"
    wrong = learner_api.call("PATCH", "/api/v1/me", {"email": "new@example.com", "password": "nope"})
    assert wrong.json()["code"] == "invalid_password"
    mail.outbox.clear()
    with commit():
        ok = learner_api.call("PATCH", "/api/v1/me", {"email": "New@Example.com", "password": PASSWORD})
    assert ok.json()["pending_confirmation"] == ["email"]
    assert ok.json()["me"]["email"] == old  # not before confirmation
    to = {tuple(m.to): m for m in mail.outbox}
    assert (old,) in to  # the old address is told
    link = re.search(r"/profile/email/confirm/([^/\s]+)/", to[("New@example.com",)].body)
    assert link
    with commit():
        confirmed = learner_api.post("/api/v1/me/email/confirm", {"token": link.group(1)})
    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "New@example.com"
    again = learner_api.post("/api/v1/me/email/confirm", {"token": link.group(1)})
    assert again.json()["code"] == "token_invalid"
    assert any(m.to == [old] and "New" not in m.body for m in mail.outbox)


def test_email_taken_by_another_account(learner_api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    other = make_learner()
    with commit():
        learner_api.call("PATCH", "/api/v1/me", {"email": other.email, "password": PASSWORD})
    change = ContactChange.objects.get(user=learner_api.user)
    from django.core import signing

    from creditbank.profiles.services.profile import _email_fingerprint

    token = signing.dumps(
        {"c": change.pk, "f": _email_fingerprint(change, learner_api.user)}, salt="creditbank.email_change"
    )
    response = learner_api.post("/api/v1/me/email/confirm", {"token": token})
    assert response.status_code == 409
    assert response.json()["code"] == "contact_taken"
    assert User.objects.get(pk=learner_api.user.pk).email == learner_api.user.email


def test_phone_change_by_sms_code(learner_api, commit) -> None:  # type: ignore[no-untyped-def]
    sms.outbox.clear()
    with commit():
        response = learner_api.call("PATCH", "/api/v1/me", {"phone": "138 0000 9999", "password": PASSWORD})
    assert response.json()["pending_confirmation"] == ["phone"]
    assert sms.outbox[-1][0] == "+8613800009999"
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1][1]).group(1)  # type: ignore[union-attr]
    wrong = learner_api.post("/api/v1/me/phone/confirm", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "code_invalid"
    assert wrong.json()["errors"]["code"]
    ok = learner_api.post("/api/v1/me/phone/confirm", {"code": code})
    assert ok.status_code == 200
    assert ok.json()["phone"] == "138****9999"
    from creditbank.accounts.selectors import user_find_by_identifier

    assert user_find_by_identifier("13800009999") == learner_api.user
    assert learner_api.post("/api/v1/me/phone/confirm", {"code": code}).json()["code"] == "code_expired"


def test_phone_code_attempts_are_limited(learner_api, commit) -> None:  # type: ignore[no-untyped-def]
    with commit():
        learner_api.call("PATCH", "/api/v1/me", {"phone": "13800009998", "password": PASSWORD})
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1][1]).group(1)  # type: ignore[union-attr]
    bad = "000000" if code != "000000" else "111111"
    for _ in range(5):
        learner_api.post("/api/v1/me/phone/confirm", {"code": bad})
    response = learner_api.post("/api/v1/me/phone/confirm", {"code": code})
    assert response.status_code == 429
    assert response.json()["code"] == "code_attempts_exhausted"


def test_policy_reviewed_field_waits_for_staff(learner_api, reviewer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "PROFILE_FIELDS_REQUIRING_REVIEW": ["address"]}
    response = learner_api.call("PATCH", "/api/v1/me", {"address": "上海市", "occupation": "工程师"})
    out = response.json()
    assert out["pending_review"] == ["address"]
    assert out["applied"] == ["occupation"]
    assert out["me"]["address"] == ""
    assert out["me"]["pending_changes"][0]["new_value"] == "上海市"
    again = learner_api.call("PATCH", "/api/v1/me", {"address": "广州市"})
    assert again.status_code == 409
    assert again.json()["code"] == "change_pending"
    staff = Api(learner_api.client.__class__())
    staff.login(reviewer.email)
    item = staff.get("/api/v1/review/change-requests", {"kind": "reviewed"}).json()["items"][0]
    assert item["field"] == "address"
    assert (
        staff.post(f"/api/v1/review/change-requests/{item['id']}/decision", {"decision": "approve"}).status_code == 200
    )
    assert learner_api.get("/api/v1/me").json()["address"] == "上海市"
    assert ChangeRequest.objects.get(pk=item["id"]).status == "approved"


def test_me_patch_unauthenticated(api, db) -> None:  # type: ignore[no-untyped-def]
    assert api.call("PATCH", "/api/v1/me", {"address": "x"}).status_code == 401


def test_masked_id_number_never_appears_with_the_birth_date(learner_api) -> None:  # type: ignore[no-untyped-def]
    user = learner_api.user
    hidden = user.birth_date.strftime("%Y%m%d")
    me = learner_api.get("/api/v1/me").json()
    assert "birth_date" not in me
    assert hidden not in str(me)
    page = learner_api.client.get("/profile/", headers={"Authorization": ""})
    learner_api.client.force_login(user)
    html = learner_api.client.get("/profile/").content.decode()
    assert user.birth_date.strftime("%Y-%m-%d") not in html
    assert page.status_code in (200, 302)


def test_must_change_password_cannot_patch_me(learner_api) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=learner_api.user.pk).update(must_change_password=True)
    response = learner_api.call("PATCH", "/api/v1/me", {"address": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_reauth_limit_refuses_even_the_right_password(learner_api) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        learner_api.call("PATCH", "/api/v1/me", {"email": "x@example.com", "password": "wrong guess"})
    response = learner_api.call("PATCH", "/api/v1/me", {"email": "x@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert not ContactChange.objects.exists()


def test_unknown_api_path_is_problem_details(api, db) -> None:  # type: ignore[no-untyped-def]
    response = api.client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_problem_details(api, db) -> None:  # type: ignore[no-untyped-def]
    response = api.client.put("/api/v1/auth/token", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"
