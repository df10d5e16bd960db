"""Accounts an institution opens with an initial password: activated, and the password must change."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from creditbank.accounts.id_numbers import check_char
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.personal_data import ID_CONTEXT, PHONE_CONTEXT
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.accounts.services import user_open
from creditbank.audit.models import AuditEvent
from creditbank.kernel.errors import DomainError
from creditbank.kernel.pii import cipher, indexer

INITIAL = "initial passphrase from school"
NUMBER = "11010519920415123" + check_char("11010519920415123")  # a man born on 15 April 1992


@pytest.fixture
def opener(reviewer):  # type: ignore[no-untyped-def]
    return reviewer


def open_one(opener, **over):  # type: ignore[no-untyped-def]
    values = {
        "name": "李四",
        "id_number": NUMBER,
        "phone": "13700001234",
        "email": "lisi@school.example.cn",
        "initial_password": INITIAL,
    } | over
    return user_open(opened_by=opener, **values)


def test_opens_an_activated_account_that_must_change_its_password(opener) -> None:  # type: ignore[no-untyped-def]
    user = open_one(opener)

    stored = User.objects.get(pk=user.pk)
    assert stored.status == AccountStatus.ACTIVATED
    assert stored.must_change_password is True
    assert stored.activated_at is not None
    assert stored.verified_at is None
    assert stored.name == "李四"
    assert stored.email == "lisi@school.example.cn"
    assert cipher().decrypt(stored.id_number_enc, context=ID_CONTEXT) == NUMBER
    assert stored.id_number_index == indexer().index(NUMBER, context=ID_CONTEXT)
    assert stored.id_number_masked == "110105********" + NUMBER[-4:]
    assert cipher().decrypt(stored.phone_enc, context=PHONE_CONTEXT) == "+8613700001234"
    assert stored.phone_index == indexer().index("+8613700001234", context=PHONE_CONTEXT)
    assert stored.phone_masked == "137****1234"
    assert (stored.gender, stored.birth_date, stored.region_code) == ("M", datetime.date(1992, 4, 15), "110105")
    assert stored.check_password(INITIAL)
    assert stored.terms_accepted_at is None  # the learner has not accepted the terms yet
    assert user_find_by_identifier(NUMBER) == stored
    event = AuditEvent.objects.get(action="account.opened")
    assert (event.actor_id, event.subject_id) == (opener.pk, stored.pk)
    assert mail.outbox == []  # the institution hands the initial password over; no activation link


def test_login_with_the_id_number_then_a_new_password_is_forced(api, opener) -> None:  # type: ignore[no-untyped-def]
    open_one(opener)

    login = api.post("/api/v1/auth/token", {"identifier": NUMBER, "password": INITIAL})
    assert login.status_code == 200
    assert login.json()["must_change_password"] is True
    api.token = login.json()["access_token"]
    assert api.get("/api/v1/me").json()["next_step"]["code"] == "change_password"
    blocked = api.get("/api/v1/me/verification")
    assert blocked.status_code == 403
    assert blocked.json()["code"] == "password_change_required"

    changed = api.post("/api/v1/auth/password", {"old_password": INITIAL, "new_password": "a passphrase of my own"})
    assert changed.status_code == 200
    assert api.get("/api/v1/me/verification").status_code == 200
    assert User.objects.get(email="lisi@school.example.cn").must_change_password is False


def test_every_invalid_field_is_named_and_nothing_is_stored(opener) -> None:  # type: ignore[no-untyped-def]
    users = User.objects.count()

    with pytest.raises(DomainError) as refused:
        open_one(
            opener, name="Li 4", id_number=NUMBER[:-1] + "0", phone="12345", email="no-at-sign", initial_password=""
        )

    assert refused.value.code == "name_invalid_characters"
    assert sorted(refused.value.errors) == ["email", "id_number", "initial_password", "name", "phone"]
    assert User.objects.count() == users
    assert not AuditEvent.objects.filter(action="account.opened").exists()


def test_a_weak_initial_password_is_refused(opener) -> None:  # type: ignore[no-untyped-def]
    users = User.objects.count()

    with pytest.raises(DomainError) as refused:
        open_one(opener, initial_password="12345678")

    assert refused.value.code == "password_invalid"
    assert list(refused.value.errors) == ["initial_password"]
    assert User.objects.count() == users


def test_a_child_under_the_minimum_age_is_refused(opener) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    first17 = f"110105{today.year - 10}0101123"
    users = User.objects.count()

    with pytest.raises(DomainError) as refused:
        open_one(opener, id_number=first17 + check_char(first17))

    assert refused.value.code == "guardian_consent_required"
    assert list(refused.value.errors) == ["id_number"]
    assert User.objects.count() == users


@pytest.mark.parametrize(
    ("field", "code"),
    [("id_number", "id_number_taken"), ("phone", "contact_taken"), ("email", "contact_taken")],
    ids=["id_number", "phone", "email"],
)
def test_a_value_another_account_holds_is_refused(opener, make_learner, field, code) -> None:  # type: ignore[no-untyped-def]
    held = {"id_number": NUMBER, "phone": "137 0000 1234", "email": "LiSi@School.example.cn"}
    holder = make_learner(**{field: held[field]})
    users = User.objects.count()

    with pytest.raises(DomainError) as refused:
        open_one(opener)

    assert refused.value.code == code
    assert refused.value.status == 409
    assert list(refused.value.errors) == [field]
    assert User.objects.count() == users
    assert User.objects.get(pk=holder.pk).status == holder.status


def test_every_value_held_by_others_is_named_at_once(opener, make_learner) -> None:  # type: ignore[no-untyped-def]
    make_learner(id_number=NUMBER)
    make_learner(phone="13700001234", email="LISI@school.example.cn")
    users = User.objects.count()

    with pytest.raises(DomainError) as refused:
        open_one(opener)

    assert refused.value.code == "id_number_taken"
    assert sorted(refused.value.errors) == ["email", "id_number", "phone"]
    assert User.objects.count() == users


def test_the_email_is_optional_and_accounts_without_one_coexist(opener, settings) -> None:  # type: ignore[no-untyped-def]
    from creditbank.accounts import tasks

    first = open_one(opener, email="")
    second = open_one(
        opener, id_number="11010519920415107" + check_char("11010519920415107"), phone="13700001235", email="  "
    )

    assert (User.objects.get(pk=first.pk).email, User.objects.get(pk=second.pk).email) == ("", "")
    assert user_find_by_identifier(NUMBER) == first
    mail.outbox.clear()
    tasks.send_account_email.enqueue(first.pk, "password_changed", "zh-hans")  # nowhere to send it: nothing sent
    assert mail.outbox == []
    with pytest.raises(DomainError) as taken:
        open_one(opener, id_number="11010519920415115" + check_char("11010519920415115"), phone="13700001236",
                 email=User.objects.exclude(email="").first().email)  # fmt: skip
    assert taken.value.code == "contact_taken"


def test_an_institutions_system_opens_accounts_in_its_own_name(db) -> None:  # type: ignore[no-untyped-def]
    user = open_one(None, on_behalf="institution:uni-a client:cbc_1")
    event = AuditEvent.objects.get(action="account.opened")
    assert (event.actor_id, event.subject_id, event.reason) == (None, user.pk, "institution:uni-a client:cbc_1")
