from __future__ import annotations

import datetime

import pytest

from creditbank.accounts.id_numbers import check_char
from creditbank.accounts.personal_data import ID_CONTEXT
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.accounts.services import user_set_id_number
from creditbank.accounts.tests.services.columns import changed, columns
from creditbank.kernel.errors import DomainError
from creditbank.kernel.pii import cipher, indexer


def id_number(first17: str) -> str:
    return first17 + check_char(first17)


WOMAN_1980 = id_number("11010519800808242")  # Beijing (Chaoyang), 8 August 1980, even sequence: a woman
MAN_1980 = id_number("11010519800808241")
#: 110199 is no division code, but 11 (Beijing) is a province: accepted, and flagged for reviewers.
PROVINCE_ONLY = id_number("11019919800808241")


def test_seals_the_number_and_writes_what_it_tells(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    new, gender = (WOMAN_1980, "F") if user.gender == "M" else (MAN_1980, "M")
    before = columns(user)

    user_set_id_number(user=user, id_number=f" {new[:6]} {new[6:14]} {new[14:].lower()}")

    after = columns(user)
    assert changed(before, after) == {"id_number_enc", "id_number_index", "id_number_masked", "birth_date", "gender"}
    assert cipher().decrypt(after["id_number_enc"], context=ID_CONTEXT) == new
    assert after["id_number_index"] == indexer().index(new, context=ID_CONTEXT)
    assert after["id_number_masked"] == "110105********" + new[-4:]
    assert after["birth_date"] == datetime.date(1980, 8, 8)
    assert after["gender"] == gender
    assert after["region_code"] == "110105"
    assert after["region_flagged"] is False
    assert (user.id_number_masked, user.gender, user.birth_date) == (
        after["id_number_masked"],
        gender,
        datetime.date(1980, 8, 8),
    )
    assert user_find_by_identifier(new) == user


def test_a_region_known_only_by_its_province_is_flagged(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()

    user_set_id_number(user=user, id_number=PROVINCE_ONLY)

    after = columns(user)
    assert (after["region_code"], after["region_flagged"]) == ("110199", True)


def test_a_number_another_account_holds_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    make_learner(id_number=WOMAN_1980)
    user = make_learner()
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_set_id_number(user=user, id_number=WOMAN_1980)

    assert refused.value.code == "id_number_taken"
    assert refused.value.status == 409
    assert list(refused.value.errors) == ["id_number"]
    assert columns(user) == before
    assert user.id_number_masked == before["id_number_masked"]


def test_an_invalid_number_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)
    wrong_check = WOMAN_1980[:-1] + ("0" if WOMAN_1980[-1] != "0" else "1")

    with pytest.raises(DomainError) as refused:
        user_set_id_number(user=user, id_number=wrong_check)

    assert refused.value.code == "id_number_checksum"
    assert list(refused.value.errors) == ["id_number"]
    assert columns(user) == before
