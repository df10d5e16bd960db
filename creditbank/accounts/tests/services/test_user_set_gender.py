from __future__ import annotations

import pytest

from creditbank.accounts.services import user_set_gender
from creditbank.accounts.tests.services.columns import changed, columns
from creditbank.kernel.errors import DomainError


def test_writes_the_gender_and_nothing_else(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    other = "F" if user.gender == "M" else "M"
    before = columns(user)

    user_set_gender(user=user, gender=other)

    after = columns(user)
    assert changed(before, after) == {"gender"}
    assert after["gender"] == other
    assert user.gender == other


def test_anything_but_m_or_f_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_set_gender(user=user, gender="X")

    assert refused.value.code == "choice_invalid"
    assert refused.value.extra == {"allowed": ["M", "F"]}
    assert list(refused.value.errors) == ["gender"]
    assert columns(user) == before
