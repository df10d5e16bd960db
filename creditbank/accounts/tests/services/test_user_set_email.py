from __future__ import annotations

import pytest

from creditbank.accounts.services import user_set_email
from creditbank.accounts.tests.services.columns import changed, columns
from creditbank.kernel.errors import DomainError


def test_writes_the_normalised_email_and_nothing_else(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)

    user_set_email(user=user, email="  Zhang.San@EXAMPLE.com ")

    after = columns(user)
    assert changed(before, after) == {"email"}
    assert after["email"] == "Zhang.San@example.com"
    assert user.email == "Zhang.San@example.com"


def test_an_address_another_account_holds_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    other = make_learner()
    user = make_learner()
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_set_email(user=user, email=other.email.upper())

    assert refused.value.code == "contact_taken"
    assert refused.value.status == 409
    assert list(refused.value.errors) == ["email"]
    assert columns(user) == before
    assert user.email == before["email"]


def test_an_invalid_address_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_set_email(user=user, email="not-an-address")

    assert refused.value.code == "email_invalid"
    assert list(refused.value.errors) == ["email"]
    assert columns(user) == before


def test_the_own_address_is_no_change(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)

    user_set_email(user=user, email=user.email)

    assert columns(user) == before
