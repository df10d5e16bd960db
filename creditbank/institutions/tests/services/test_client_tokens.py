"""The client-credentials grant and the tokens it issues, with a moved clock for the overlap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from creditbank.accounts.token_grants import GrantRequest, token_grant
from creditbank.institutions.models import ApiClientCall, ApiClientToken, Institution
from creditbank.institutions.services import (
    ClientPrincipal,
    api_client_revoke,
    api_client_rotate,
    client_token_authenticate,
    client_token_grant,
    clock,
)
from creditbank.institutions.tests.factories import make_client, make_institution
from creditbank.kernel.errors import DomainError

pytestmark = pytest.mark.django_db


def grant(client_id: str, secret: str, scope: str | None = None, address: str = "10.9.9.9") -> str:
    return client_token_grant(
        GrantRequest(client_id=client_id, client_secret=secret, scope=scope, client_address=address)
    ).access_token


def refused(client_id: str, secret: str, scope: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as info:
        grant(client_id, secret, scope)
    return info.value


@pytest.fixture
def setup(make_learner):  # type: ignore[no-untyped-def]
    admin = make_learner()
    inst = make_institution("uni-a", admin=admin)
    client, secret = make_client(inst, admin=admin, scopes=("outcomes:write", "outcomes:read"))
    return admin, inst, client, secret


def test_the_grant_is_registered_with_accounts() -> None:
    assert token_grant("client_credentials") is client_token_grant
    assert token_grant("authorization_code") is None


def test_a_token_names_the_client_its_institution_and_scopes(setup) -> None:  # type: ignore[no-untyped-def]
    _admin, inst, client, secret = setup
    issued = client_token_grant(GrantRequest(client.client_id, secret, None, "10.0.0.1"))
    assert (issued.expires_in, issued.scope) == (3600, "outcomes:read outcomes:write")
    assert client_token_authenticate(issued.access_token) == ClientPrincipal(
        client_pk=client.pk, client_id=client.client_id, institution_pk=inst.pk, institution_code="uni-a",
        scopes=frozenset({"outcomes:read", "outcomes:write"}),
    )  # fmt: skip
    assert list(ApiClientCall.objects.values_list("method", "path", "status")) == [("POST", "/api/v1/auth/token", 200)]


def test_a_narrower_scope_may_be_asked_for_a_wider_one_not(setup) -> None:  # type: ignore[no-untyped-def]
    _admin, _inst, client, secret = setup
    token = grant(client.client_id, secret, "outcomes:read")
    principal = client_token_authenticate(token)
    assert principal is not None and principal.scopes == frozenset({"outcomes:read"})
    err = refused(client.client_id, secret, "outcomes:read accounts:write")
    assert (err.code, err.status, err.extra["granted"]) == ("invalid_scope", 400, ["outcomes:read", "outcomes:write"])


def test_unknown_client_and_wrong_secret_answer_the_same(setup) -> None:  # type: ignore[no-untyped-def]
    _admin, _inst, client, secret = setup
    wrong = refused(client.client_id, secret + "x")
    unknown = refused("cbc_nobody", secret)
    assert (wrong.code, wrong.status, str(wrong.message)) == (unknown.code, unknown.status, str(unknown.message))
    assert wrong.code == "invalid_client" and wrong.status == 401
    assert ApiClientToken.objects.count() == 0
    assert list(ApiClientCall.objects.values_list("status", flat=True)) == [401]  # the known client's attempt


def test_revocation_ends_the_secret_and_existing_tokens_at_once(setup) -> None:  # type: ignore[no-untyped-def]
    admin, _inst, client, secret = setup
    token = grant(client.client_id, secret)
    api_client_revoke(actor=admin, code="uni-a", id=client.pk)
    assert client_token_authenticate(token) is None
    assert refused(client.client_id, secret).code == "invalid_client"


def test_an_inactive_institution_ends_its_clients(setup) -> None:  # type: ignore[no-untyped-def]
    _admin, inst, client, secret = setup
    token = grant(client.client_id, secret)
    Institution.objects.filter(pk=inst.pk).update(active=False)
    assert client_token_authenticate(token) is None
    assert refused(client.client_id, secret).code == "invalid_client"


def test_rotation_overlap_then_expiry(setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    admin, _inst, client, old = setup
    start = timezone.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    _rotated, new = api_client_rotate(actor=admin, code="uni-a", id=client.pk)
    assert grant(client.client_id, old)  # both work inside the window
    assert grant(client.client_id, new)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=23, minutes=59))
    assert grant(client.client_id, old)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=24))
    assert refused(client.client_id, old).code == "invalid_client"  # the window has closed
    assert grant(client.client_id, new)


def test_a_second_rotation_ends_the_first_secret(setup) -> None:  # type: ignore[no-untyped-def]
    admin, _inst, client, first = setup
    _c, second = api_client_rotate(actor=admin, code="uni-a", id=client.pk)
    _c, third = api_client_rotate(actor=admin, code="uni-a", id=client.pk)
    assert refused(client.client_id, first).code == "invalid_client"
    assert grant(client.client_id, second) and grant(client.client_id, third)


def test_tokens_expire(setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _admin, _inst, client, secret = setup
    token = grant(client.client_id, secret)
    later = timezone.now() + timedelta(seconds=3601)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client_token_authenticate(token) is None


def test_other_strings_are_not_client_tokens(setup) -> None:  # type: ignore[no-untyped-def]
    assert client_token_authenticate("") is None
    assert client_token_authenticate("cbt_a-persons-token") is None
    assert client_token_authenticate("cbk_" + "x" * 200) is None
    assert client_token_authenticate("cbk_unknown") is None


def test_rate_limited_per_client_and_per_address(setup, settings) -> None:  # type: ignore[no-untyped-def]
    _admin, _inst, client, secret = setup
    settings.CREDITBANK_POLICY = {
        **settings.CREDITBANK_POLICY,
        "CLIENT_TOKEN_REQUESTS_PER_CLIENT_PER_HOUR": 2,
        "CLIENT_TOKEN_REQUESTS_PER_ADDRESS_PER_HOUR": 3,
    }
    grant(client.client_id, secret, address="10.0.0.1")
    grant(client.client_id, secret, address="10.0.0.2")
    with pytest.raises(DomainError) as info:
        grant(client.client_id, secret, address="10.0.0.3")  # the client's third this hour
    assert (info.value.code, info.value.status) == ("rate_limited", 429)
    for n in range(2):
        refused_other = pytest.raises(DomainError)
        with refused_other as other:
            grant(f"cbc_other{n}", "x", address="10.0.0.1")
        assert other.value.code == "invalid_client"
    with pytest.raises(DomainError) as info:
        grant("cbc_other9", "x", address="10.0.0.1")  # the address's fourth this hour
    assert info.value.code == "rate_limited"
