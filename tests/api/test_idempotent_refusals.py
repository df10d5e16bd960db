"""A refused create counts against its rate limits the same with or without an Idempotency-Key.

Every idempotent create is listed; each sends a request refused after its rate limit counted
(or refused by the limit itself), first without a key, then with a fresh key each time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import PASSWORD, next_identity
from creditbank.accounts.models import AccountStatus
from creditbank.kernel.models import RateCounter


def total_counts() -> int:
    return sum(RateCounter.objects.values_list("count", flat=True))


def _register(api: Any, make_learner: Any, settings: Any) -> Callable[[dict[str, str]], Any]:
    bad = {**next_identity(), "name": "张三", "password": PASSWORD, "accept_terms": True, "terms_version": "1999-01"}
    return lambda headers: api.post("/api/v1/auth/register", bad, headers=headers)


def _ticket(api: Any, make_learner: Any, settings: Any) -> Callable[[dict[str, str]], Any]:
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "TICKETS_PER_DAY": 0}
    user = make_learner(AccountStatus.ACTIVATED)
    api.login(user.account_no)
    body = {"category": "other", "subject": "问题", "message": "请帮忙"}
    return lambda headers: api.post("/api/v1/me/tickets", body, headers=headers)


def _change_request(api: Any, make_learner: Any, settings: Any) -> Callable[[dict[str, str]], Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = make_learner(AccountStatus.VERIFIED)
    api.login(user.account_no)

    def send(headers: dict[str, str]) -> Any:
        # the proof counts against the hourly upload allowance before it is read, then is refused
        proof = SimpleUploadedFile("proof.png", b"\x89PNG\r\n\x1a\n not an image", content_type="image/png")
        body = {"field": "name", "new_value": "张三丰", "reason": "改名", "proof": [proof]}
        return api.post("/api/v1/me/change-requests", body, headers=headers, multipart=True)

    return send


#: Every create that takes an Idempotency-Key and counts something before it can be refused.
#: (Education and work entries take a key too, but their create counts nothing.)
CREATES = {
    "register": (_register, {400}),
    "ticket": (_ticket, {429}),
    "change-request": (_change_request, {400}),
}


@pytest.mark.parametrize("name", sorted(CREATES))
def test_refusals_count_the_same_with_a_key(name, api, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    setup, statuses = CREATES[name]
    send = setup(api, make_learner, settings)
    RateCounter.objects.all().delete()
    for _ in range(3):
        assert send({}).status_code in statuses
    without_key = total_counts()
    assert without_key >= 3  # each refusal was counted
    RateCounter.objects.all().delete()
    for i in range(3):
        assert send({"Idempotency-Key": f"{name}-{i}"}).status_code in statuses
    assert total_counts() == without_key
