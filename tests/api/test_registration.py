"""POST /api/v1/auth/register: success, every refusal code, duplicates, races, idempotency."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from conftest import PASSWORD, next_identity
from creditbank.accounts.domain.account_numbers import is_valid
from creditbank.accounts.models import AccountStatus, IssuedAccountNumber, User
from creditbank.identity.specimens import valid_id_number

REGISTER = "/api/v1/auth/register"


def body(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "阿依古丽·买买提",
        "password": PASSWORD,
        "accept_terms": True,
        "terms_version": "2026-01",
        **next_identity(),
    }
    data.update(over)
    return data


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_register_creates_a_registered_account_and_emails_the_link(api, commit) -> None:  # type: ignore[no-untyped-def]
    data = body(id_number="11010519491231002x", phone="+86 138 0013 8000", email=" Ayi@Example.COM ")
    with commit():
        response = api.post(REGISTER, data)
    assert response.status_code == 201
    out = response.json()
    assert out["status"] == "registered"
    assert is_valid(out["account_no"])
    user = User.objects.get(account_no=out["account_no"])
    assert user.name == "阿依古丽·买买提"
    assert user.email == "Ayi@example.com"
    assert user.gender == "F"
    assert str(user.birth_date) == "1949-12-31"
    assert user.id_number_masked == "110105********002X"
    assert user.phone_masked == "138****8000"
    assert "11010519491231002X" not in user.id_number_enc
    assert user.terms_version == "2026-01"
    assert user.terms_accepted_at is not None
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Ayi@example.com"]
    assert re.search(r"/accounts/activate/[^/\s]+/", mail.outbox[0].body)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id_number", "110105194912310022", "id_number_checksum"),
        ("id_number", "110105491231002", "id_number_first_generation"),
        ("id_number", "12345", "id_number_length"),
        ("id_number", "990105194912310029", "id_number_region"),
        ("id_number", valid_id_number(birth="19900230"), "id_number_birth_date"),
        ("id_number", valid_id_number(birth="20991231"), "id_number_birth_future"),
        ("name", "张\u202e三", "name_invalid_characters"),
        ("name", "", "name_required"),
        ("name", "x" * 65, "name_too_long"),
        ("phone", "12345", "phone_invalid"),
        ("email", "a@b.cn\r\nBcc: x@y.cn", "email_invalid"),
        ("email", "not-an-email", "email_invalid"),
        ("accept_terms", False, "terms_not_accepted"),
        ("terms_version", "2019-01", "terms_version_mismatch"),
        ("password", "12345678901", "password_invalid"),
        ("password", "password", "password_invalid"),
        ("password", "short", "password_invalid"),
        ("password", "", "password_required"),
    ],
)
def test_each_bad_field_gets_its_code_next_to_the_field(api, field, value, code) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(**{field: value}))
    assert response.status_code == 400
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert problem["code"] == code
    assert field in problem["errors"]
    assert problem["errors"][field][0]
    assert User.objects.count() == 0
    assert len(__import__("django.core.mail").core.mail.outbox) == 0


def test_all_bad_fields_are_reported_at_once(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(name="", phone="1", email="x", id_number="1"))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "phone", "email", "id_number"}


def test_password_similar_to_email_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(email="wanglei2026@example.com", password="wanglei2026"))
    assert response.json()["code"] == "password_invalid"


def test_long_passphrase_is_accepted(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(password="我 的 学 分 银 行 密 码 很 长 " * 8))
    assert response.status_code == 201


def test_accept_terms_must_be_true_json_not_a_truthy_string(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(accept_terms="yes"))
    assert response.status_code == 400
    assert response.json()["code"] == "boolean_required"
    assert "accept_terms" in response.json()["errors"]


def test_missing_fields_and_broken_json(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, {"name": "张三"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert {"id_number", "phone", "email", "password", "accept_terms", "terms_version"} <= set(
        response.json()["errors"]
    )
    raw = api.client.post(REGISTER, data="{not json", content_type="application/json")
    assert raw.status_code == 400
    assert raw.json()["code"] == "invalid_body"


def test_under_14_refused_with_guardian_explanation(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(id_number=valid_id_number(birth="20200101")))
    assert response.status_code == 400
    assert response.json()["code"] == "guardian_consent_required"
    assert User.objects.count() == 0


def test_unknown_region_inside_known_province_registers_flagged(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(id_number=valid_id_number(region="119999")))
    assert response.status_code == 201
    assert User.objects.get(account_no=response.json()["account_no"]).region_flagged is True


@pytest.mark.parametrize("which", ["id_number", "email", "phone"])
def test_duplicate_gets_the_same_answer_and_the_owner_is_told(api, commit, which) -> None:  # type: ignore[no-untyped-def]
    first = body()
    with commit():
        assert api.post(REGISTER, first).status_code == 201
    mail.outbox.clear()
    second = body(**{which: first[which]})
    with commit():
        response = api.post(REGISTER, second)
    assert response.status_code == 201
    assert response.json()["status"] == "registered"
    assert is_valid(response.json()["account_no"])
    assert User.objects.count() == 1
    assert not User.objects.filter(account_no=response.json()["account_no"]).exists()
    # the decoy number is reserved, so it is never issued to somebody else later
    assert IssuedAccountNumber.objects.filter(number=response.json()["account_no"]).exists()
    assert [m.to for m in mail.outbox] == [[first["email"]]]
    assert "already have an account" in mail.outbox[0].body or "已有" in mail.outbox[0].body


def test_idempotency_key_replays_the_answer(api, commit) -> None:  # type: ignore[no-untyped-def]
    data = body()
    with commit():
        a = api.post(REGISTER, data, headers={"Idempotency-Key": "reg-1"})
        b = api.post(REGISTER, data, headers={"Idempotency-Key": "reg-1"})
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    c = api.post(REGISTER, body(), headers={"Idempotency-Key": "reg-1"})
    assert c.status_code == 422
    assert c.json()["code"] == "idempotency_key_reused"


#: 2026-03-01 10:00:30 in Asia/Shanghai: the hour's window ends at 11:00, in 3570 seconds.
FIXED_CLOCK = 1772330430.0


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    import time

    monkeypatch.setattr(time, "time", lambda: FIXED_CLOCK)


def test_registration_rate_limited_per_address(api, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "REGISTRATIONS_PER_ADDRESS_PER_HOUR": 2}
    for _ in range(2):
        assert api.post(REGISTER, body()).status_code == 201
    response = api.post(REGISTER, body(), headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] == "3570"
    assert response.json()["retry_after"] == 3570
    assert response.json()["detail"] == (
        "Many accounts have been registered from your network address in the last hour. "
        "Try again at 11:00 (in 60 minutes)."
    )
    assert User.objects.count() == 2
    # even an invalid form is refused with the time, before anything is looked at
    invalid = api.post(REGISTER, body(name=""))
    assert invalid.status_code == 429


def test_typos_of_one_person_are_not_counted_against_the_address(api, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {
        **settings.CREDITBANK_POLICY,
        "REGISTRATIONS_PER_ADDRESS_PER_HOUR": 2,
        "REGISTRATION_REFUSED_PEOPLE_PER_ADDRESS_PER_HOUR": 2,
    }
    person = body()
    # 25 attempts by one person, each with a different mistake in one field or another
    for i in range(25):
        field = ["id_number", "phone", "email", "name"][i % 4]
        wrong = {"id_number": f"1101051949{i:03d}", "phone": f"12{i:03d}", "email": f"x{i}", "name": f"张{i}"}
        response = api.post(REGISTER, {**person, field: wrong[field]})
        assert response.status_code == 400, (i, response.json())
        assert response.json()["code"] != "rate_limited"
    assert api.post(REGISTER, person).status_code == 201
    assert User.objects.count() == 1


def test_one_person_retrying_endlessly_waits_alone(api, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "REGISTRATION_REFUSALS_PER_PERSON_PER_HOUR": 3}
    person = body(id_number="12345")  # the same wrong value every time
    for _ in range(3):
        assert api.post(REGISTER, {**person, "phone": "1"}).status_code == 400
    fourth = api.post(REGISTER, person, headers={"Accept-Language": "en"})
    assert fourth.status_code == 429
    assert fourth["Retry-After"] == "3570"
    assert fourth.json()["detail"] == (
        "You have tried to register many times in the last hour. Check every field carefully and try again "
        "at 11:00 (in 60 minutes)."
    )
    # somebody else at the same address registers
    assert api.post(REGISTER, body()).status_code == 201
    assert User.objects.count() == 1


def test_refused_registrations_count_different_people(api, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "REGISTRATION_REFUSED_PEOPLE_PER_ADDRESS_PER_HOUR": 2}
    for i in range(2):
        assert api.post(REGISTER, body(id_number=f"1234{i}", name=f"学生{'甲乙'[i]}")).status_code == 400
    third = api.post(REGISTER, body(id_number="12349", name="学生丙"), headers={"Accept-Language": "en"})
    assert third.status_code == 429
    assert third["Retry-After"] == "3570"
    assert third.json()["detail"] == (
        "Many registrations from your network address were refused in the last hour. "
        "Check the details and try again at 11:00 (in 60 minutes)."
    )
    # a person who fills the form in correctly is not held up by other people's mistakes
    assert api.post(REGISTER, body()).status_code == 201
    assert User.objects.count() == 1


def test_register_page_says_when_to_retry(db, settings, clock) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "REGISTRATIONS_PER_ADDRESS_PER_HOUR": 1}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = body()
    first["accept_terms"] = "on"
    assert client.post("/accounts/register/", first).status_code == 302
    second = body()
    second["accept_terms"] = "on"
    page = client.post("/accounts/register/", second)
    assert page.status_code == 429
    assert page["Retry-After"] == "3570"
    assert "Try again at 11:00 (in 60 minutes)." in page.content.decode()
    assert User.objects.count() == 1
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post("/accounts/register/", second)
    assert chinese.status_code == 429
    assert "11:00" in chinese.content.decode()


def test_new_account_status_and_me_are_masked(api, commit) -> None:  # type: ignore[no-untyped-def]
    data = body(id_number="11010519491231002X", phone="13800138000")
    with commit():
        api.post(REGISTER, data)
    api.login(str(data["email"]))
    me = api.get("/api/v1/me").json()
    assert me["status"] == AccountStatus.REGISTERED
    assert me["id_number"] == "110105********002X"
    assert me["phone"] == "138****8000"
    assert me["next_step"]["code"] == "activate_email"
    assert "submit_verification" not in me["may"]


def test_a_squatted_id_number_is_freed_when_the_activation_window_has_passed(api, commit) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    squat = body()
    with commit():
        squatter = api.post(REGISTER, squat).json()["account_no"]
    User.objects.filter(account_no=squatter).update(created_at=timezone.now() - timedelta(hours=49))
    mail.outbox.clear()
    with commit():
        real = api.post(REGISTER, body(id_number=squat["id_number"]))
    assert real.status_code == 201
    assert not User.objects.filter(account_no=squatter).exists()
    assert User.objects.filter(account_no=real.json()["account_no"]).exists()
    assert IssuedAccountNumber.objects.filter(number=squatter).exists()  # never reissued
    assert len(mail.outbox) == 1  # the real owner's activation email


def test_purge_command(api, commit) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    with commit():
        old = api.post(REGISTER, body()).json()["account_no"]
        fresh = api.post(REGISTER, body()).json()["account_no"]
    User.objects.filter(account_no=old).update(created_at=timezone.now() - timedelta(days=3))
    out = StringIO()
    call_command("purge_unactivated_accounts", stdout=out)
    assert "removed 1" in out.getvalue()
    assert list(User.objects.values_list("account_no", flat=True)) == [fresh]
