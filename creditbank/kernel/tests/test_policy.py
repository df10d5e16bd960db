from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from creditbank.kernel.policy import Policy, policy


def test_every_configured_knob_is_typed_and_read() -> None:
    p = policy()
    assert p.verification_attempts_per_day == settings.CREDITBANK_POLICY["VERIFICATION_ATTEMPTS_PER_DAY"]
    assert p.profile_fields_requiring_review == tuple(settings.CREDITBANK_POLICY["PROFILE_FIELDS_REQUIRING_REVIEW"])


def test_a_changed_setting_is_seen_at_once(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "TICKETS_PER_DAY": 2}
    assert policy().tickets_per_day == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"TICKETS_PER_DAY": "ten"}, "TICKETS_PER_DAY.*whole number"),
        ({"TICKETS_PER_DAY": True}, "TICKETS_PER_DAY.*whole number"),
        ({"TICKETS_PER_DAY": -1}, "TICKETS_PER_DAY.*whole number"),
        ({"VERIFICATION_OCR": "yes"}, "VERIFICATION_OCR.*true or false"),
        ({"TERMS_VERSION": 2026}, "TERMS_VERSION.*text"),
        ({"TICKETS_PER_DAI": 3}, "unknown keys \\['TICKETS_PER_DAI'\\]"),
    ],
)
def test_a_wrong_policy_is_refused_naming_the_key(change, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImproperlyConfigured, match=message):
        Policy.from_mapping({**settings.CREDITBANK_POLICY, **change})


def test_a_missing_key_is_named() -> None:
    raw = dict(settings.CREDITBANK_POLICY)
    del raw["MINIMUM_AGE"]
    with pytest.raises(ImproperlyConfigured, match="missing keys \\['MINIMUM_AGE'\\]"):
        Policy.from_mapping(raw)
