from __future__ import annotations

import pytest

from creditbank.accounts.services import user_rename
from creditbank.accounts.tests.services.columns import changed, columns
from creditbank.kernel.errors import DomainError


def test_writes_the_cleaned_name_and_nothing_else(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(name="张三")
    before = columns(user)

    user_rename(user=user, name=" 阿依古丽・买买提 ")

    after = columns(user)
    assert changed(before, after) == {"name"}
    assert after["name"] == "阿依古丽·买买提"
    assert user.name == "阿依古丽·买买提"


def test_a_name_with_a_lookalike_letter_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(name="Wang Lei")
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_rename(user=user, name="Wаng Lei")  # a Cyrillic "а"

    assert refused.value.code == "name_mixed_scripts"
    assert list(refused.value.errors) == ["name"]
    assert "U+0430" in str(refused.value.errors["name"][0])
    assert columns(user) == before
    assert user.name == "Wang Lei"
