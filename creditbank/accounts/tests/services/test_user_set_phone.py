from __future__ import annotations

import pytest

from creditbank.accounts.personal_data import PHONE_CONTEXT
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.accounts.services import user_set_phone
from creditbank.accounts.tests.services.columns import changed, columns
from creditbank.kernel.errors import DomainError
from creditbank.kernel.pii import cipher, indexer


def test_seals_the_new_number_into_its_three_columns(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)

    user_set_phone(user=user, phone="139 0000 1111")

    after = columns(user)
    assert changed(before, after) == {"phone_enc", "phone_index", "phone_masked"}
    assert cipher().decrypt(after["phone_enc"], context=PHONE_CONTEXT) == "+8613900001111"
    assert after["phone_index"] == indexer().index("+8613900001111", context=PHONE_CONTEXT)
    assert after["phone_masked"] == "139****1111"
    assert (user.phone_enc, user.phone_index, user.phone_masked) == (
        after["phone_enc"],
        after["phone_index"],
        after["phone_masked"],
    )
    assert user_find_by_identifier("13900001111") == user


def test_a_number_another_account_holds_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    make_learner(phone="13900002222")
    user = make_learner()
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_set_phone(user=user, phone="+86 139-0000-2222")

    assert refused.value.code == "contact_taken"
    assert refused.value.status == 409
    assert list(refused.value.errors) == ["phone"]
    assert columns(user) == before
    assert user.phone_masked == before["phone_masked"]


def test_an_invalid_number_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_set_phone(user=user, phone="12345")

    assert refused.value.code == "phone_invalid"
    assert list(refused.value.errors) == ["phone"]
    assert columns(user) == before
