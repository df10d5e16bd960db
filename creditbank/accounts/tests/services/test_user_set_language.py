from __future__ import annotations

import pytest

from creditbank.accounts.services import user_set_language
from creditbank.accounts.tests.services.columns import changed, columns
from creditbank.kernel.errors import DomainError


def test_writes_the_language_and_nothing_else(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)
    assert before["preferred_language"] == "zh-hans"

    user_set_language(user=user, language="en")

    after = columns(user)
    assert changed(before, after) == {"preferred_language"}
    assert after["preferred_language"] == "en"
    assert user.preferred_language == "en"


def test_a_language_the_site_does_not_offer_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    before = columns(user)

    with pytest.raises(DomainError) as refused:
        user_set_language(user=user, language="fr")

    assert refused.value.code == "choice_invalid"
    assert list(refused.value.errors) == ["preferred_language"]
    assert columns(user) == before
