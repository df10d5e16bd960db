"""Names and emails are stored in one canonical form; look-alikes are refused with a precise reason."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from conftest import PASSWORD, next_identity
from creditbank.accounts.models import AccountStatus, User
from creditbank.profiles.models import ChangeRequest, ContactChange

REGISTER = "/api/v1/auth/register"


def body(**over: object) -> dict[str, object]:
    return {
        "name": "张三",
        "password": PASSWORD,
        "accept_terms": True,
        "terms_version": "2026-01",
        **next_identity(),
        **over,
    }


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("爱新觉罗・溥仪", "爱新觉罗·溥仪"),
        ("Ｗａｎｇ  Ｌｅｉ", "Wang Lei"),
        ("Wang  Lei", "Wang Lei"),
    ],
)
def test_registered_names_are_canonical(api, typed, stored) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(name=typed))
    assert response.status_code == 201
    assert User.objects.get(account_no=response.json()["account_no"]).name == stored


@pytest.mark.parametrize(
    ("name", "code", "needle"),
    [
        ("Ivаn Petrov", "name_mixed_scripts", "“а” (U+0430 CYRILLIC SMALL LETTER A)"),
        ("Иван", "name_script_not_allowed", "“И” (U+0418 CYRILLIC CAPITAL LETTER I)"),
        ("张\u0301三", "name_invalid_characters", "U+0301 COMBINING ACUTE ACCENT"),
        ("张三3", "name_invalid_characters", "“3” (U+0033 DIGIT THREE)"),
        ("···", "name_no_letters", "letters"),
    ],
)
def test_refused_names_say_exactly_what_is_wrong(api, name, code, needle) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(name=name), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == code
    assert needle in problem["errors"]["name"][0]
    assert User.objects.count() == 0


def test_mixed_scripts_message_names_both_scripts(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(name="Ivаn"), headers={"Accept-Language": "en"})
    assert response.json()["errors"]["name"] == [
        "Write the whole name in one script: “а” (U+0430 CYRILLIC SMALL LETTER A) is one of the Cyrillic "
        "letters, the rest of the name is in Latin letters. Letters of other alphabets that only look alike "
        "are not accepted."
    ]


def test_full_width_email_is_a_duplicate_of_the_existing_one(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    owner = make_learner(email="li@example.com")
    mail.outbox.clear()
    with commit():
        response = api.post(REGISTER, body(email="ｌｉ＠ＥＸＡＭＰＬＥ．ｃｏｍ"))
    assert response.status_code == 201  # the same answer as a success (no enumeration)…
    assert User.objects.count() == 1  # …but no second account
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_idn_domain_stored_once_in_ascii(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(email="li@例子。中国"))
    user = User.objects.get(account_no=response.json()["account_no"])
    assert user.email == "li@xn--fsqu00a.xn--fiqs8s"
    again = api.post(REGISTER, body(email="LI@例子.中国"))
    assert again.status_code == 201
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("email", "code", "needle"),
    [
        ("аdmin@example.com", "email_not_ascii", "“а” (U+0430 CYRILLIC SMALL LETTER A)"),
        ("admin@exаmple.com", "email_mixed_scripts", "“а” (U+0430 CYRILLIC SMALL LETTER A)"),
    ],
)
def test_look_alike_emails_are_refused(api, email, code, needle) -> None:  # type: ignore[no-untyped-def]
    response = api.post(REGISTER, body(email=email), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert needle in response.json()["errors"]["email"][0]
    assert User.objects.count() == 0


def test_login_with_a_full_width_email(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(email="wang@example.com")
    response = api.post("/api/v1/auth/token", {"identifier": "ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["access_token"]
    assert user.api_tokens.count() == 1


def test_profile_email_change_refuses_a_look_alike(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.VERIFIED)
    api.login(user.email)
    with commit():
        response = api.call("PATCH", "/api/v1/me", {"email": "lі@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["code"] == "email_not_ascii"
    assert not ContactChange.objects.filter(user=user).exists()


def test_change_request_name_is_canonical_and_checked(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    from conftest import front_upload

    user = make_learner(AccountStatus.VERIFIED)
    api.login(user.email)
    bad = api.post(
        "/api/v1/me/change-requests",
        {"field": "name", "new_value": "Ivаn", "reason": "new name", "proof": front_upload(user)},
        multipart=True,
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "name_mixed_scripts"
    assert not ChangeRequest.objects.exists()
    ok = api.post(
        "/api/v1/me/change-requests",
        {"field": "name", "new_value": "张三•丰", "reason": "new name", "proof": front_upload(user)},
        multipart=True,
    )
    assert ok.status_code == 202
    assert ChangeRequest.objects.get().new_value_masked == "张三·丰"


def test_register_page_shows_the_character_next_to_the_field(db) -> None:  # type: ignore[no-untyped-def]
    data = body(name="Ivаn")
    data["accept_terms"] = "on"
    page = Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/register/", data)
    assert page.status_code == 200
    assert "U+0430 CYRILLIC SMALL LETTER A" in page.content.decode()
    assert User.objects.count() == 0


def test_migration_normalises_stored_emails(make_learner) -> None:  # type: ignore[no-untyped-def]
    plain, broken, holder, clash = (make_learner() for _ in range(4))
    # stored before emails were normalised
    User.objects.filter(pk=plain.pk).update(email="ｏｎｅ@例子.中国")
    User.objects.filter(pk=broken.pk).update(email="bad@@x")
    User.objects.filter(pk=holder.pk).update(email="two@xn--fsqu00a.xn--fiqs8s")
    User.objects.filter(pk=clash.pk).update(email="TWO@例子.中国")
    migration = importlib.import_module("creditbank.accounts.migrations.0002_normalise_stored_emails")
    migration.normalise_emails(apps, None)
    assert User.objects.get(pk=plain.pk).email == "one@xn--fsqu00a.xn--fiqs8s"
    assert User.objects.get(pk=broken.pk).email == "bad@@x"  # not an address any more: left alone
    assert User.objects.get(pk=holder.pk).email == "two@xn--fsqu00a.xn--fiqs8s"
    assert User.objects.get(pk=clash.pk).email == "TWO@例子.中国"  # its canonical form is taken: left alone
