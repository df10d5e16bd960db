"""require_scope: the caller must be a client token, carry the scope, and belong to the
institution of the path."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from creditbank.institutions.principal import client_principal, require_scope
from creditbank.institutions.services import ClientPrincipal
from creditbank.kernel.errors import DomainError, NotFound

PRINCIPAL = ClientPrincipal(
    client_pk=1, client_id="cbc_x", institution_pk=7, institution_code="uni-a", scopes=frozenset({"outcomes:write"})
)


def request(auth: object) -> SimpleNamespace:
    return SimpleNamespace(auth=auth)


def test_the_scope_carried() -> None:
    assert require_scope(request(PRINCIPAL), "outcomes:write") is PRINCIPAL
    assert require_scope(request(PRINCIPAL), "outcomes:write", institution="uni-a") is PRINCIPAL


def test_a_missing_scope_is_403() -> None:
    with pytest.raises(DomainError) as info:
        require_scope(request(PRINCIPAL), "imports:write")
    assert (info.value.code, info.value.status) == ("insufficient_scope", 403)
    assert info.value.extra == {"required": "imports:write", "scopes": ["outcomes:write"]}


def test_another_institutions_path_is_404_and_logged(caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="creditbank.institutions.access"), pytest.raises(NotFound):
        require_scope(request(PRINCIPAL), "outcomes:write", institution="uni-b")
    assert caplog.records[0].getMessage() == "institution access refused: client cbc_x of uni-a asked for uni-b"


def test_a_person_or_nobody_is_not_a_client() -> None:
    with pytest.raises(DomainError) as info:
        client_principal(request(SimpleNamespace(pk=3)))
    assert (info.value.code, info.value.status) == ("client_required", 403)
    with pytest.raises(DomainError) as info:
        client_principal(request(None))
    assert (info.value.code, info.value.status) == ("not_authenticated", 401)
