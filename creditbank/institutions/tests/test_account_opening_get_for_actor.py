"""Who reaches an institution's account openings: its administrators, bank staff managing
institutions and its own API clients with ``accounts:write``. Anyone else, and any opening of
another institution, gets the NotFound of an unknown one (and it is logged)."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser

from creditbank.institutions.models import Membership
from creditbank.institutions.selectors import (
    account_opening_get_for_actor,
    account_opening_is_uploader,
    account_opening_result_available,
    opening_institution_for,
)
from creditbank.institutions.services import account_opening_upload
from creditbank.institutions.tests.factories import (
    client_principal,
    make_client,
    make_institution,
    make_manager,
    student,
    students_file,
)
from creditbank.kernel.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_learner):  # type: ignore[no-untyped-def]
    manager = make_manager()
    admin_a, admin_b, issuer_a, learner = make_learner(), make_learner(), make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a, manager=manager)
    b = make_institution("uni-b", admin=admin_b, manager=manager)
    Membership.objects.create(user=issuer_a, institution=a, role="issuer")
    client_a, _secret = make_client(a, admin=admin_a, scopes=("accounts:write", "outcomes:write"))
    client_b, _secret = make_client(b, admin=admin_b, scopes=("accounts:write",))
    opening_a = account_opening_upload(caller=admin_a, code="uni-a", upload=students_file([student()]))
    opening_b = account_opening_upload(caller=admin_b, code="uni-b", upload=students_file([student()]))
    return {
        "manager": manager, "admin_a": admin_a, "admin_b": admin_b, "issuer_a": issuer_a, "learner": learner,
        "a": a, "b": b, "client_a": client_principal(client_a), "client_b": client_principal(client_b),
        "client_a_outcomes_only": client_principal(client_a, scopes=("outcomes:write",)),
        "opening_a": opening_a, "opening_b": opening_b,
    }  # fmt: skip


@pytest.mark.parametrize("who", ["admin_a", "manager", "client_a"])
def test_who_may_open_accounts_and_read_the_openings(world, who) -> None:  # type: ignore[no-untyped-def]
    assert opening_institution_for(caller=world[who], code="uni-a") == world["a"]
    opening = world["opening_a"]
    assert account_opening_get_for_actor(actor=world[who], code="uni-a", id=opening.pk) == opening


@pytest.mark.parametrize("who", ["admin_b", "issuer_a", "learner", "anonymous", "client_b"])
def test_anyone_else_gets_the_answer_of_an_unknown_opening(world, who) -> None:  # type: ignore[no-untyped-def]
    actor = AnonymousUser() if who == "anonymous" else world[who]
    with pytest.raises(NotFound) as refused:
        account_opening_get_for_actor(actor=actor, code="uni-a", id=world["opening_a"].pk)
    with pytest.raises(NotFound) as unknown:
        account_opening_get_for_actor(actor=world["admin_a"], code="uni-a", id=999_999)
    assert (
        (refused.value.code, refused.value.status) == (unknown.value.code, unknown.value.status) == ("not_found", 404)
    )


@pytest.mark.parametrize("who", ["admin_a", "client_a", "manager"])
def test_another_institutions_opening_through_ones_own_path_is_not_found_and_logged(world, who, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="creditbank.institutions.access"), pytest.raises(NotFound):
        account_opening_get_for_actor(actor=world[who], code="uni-a", id=world["opening_b"].pk)
    assert len(caplog.records) == 1
    assert "account opening" in caplog.records[0].getMessage()


def test_a_client_path_of_another_institution_is_logged(world, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="creditbank.institutions.access"), pytest.raises(NotFound):
        opening_institution_for(caller=world["client_a"], code="uni-b")
    assert [r.getMessage() for r in caplog.records] == [
        f"institution access refused: client {world['client_a'].client_id} of uni-a asked for uni-b"
    ]


def test_a_client_without_accounts_write_is_refused_by_name(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as refused:
        account_opening_get_for_actor(actor=world["client_a_outcomes_only"], code="uni-a", id=world["opening_a"].pk)
    assert (refused.value.code, refused.value.extra) == (
        "insufficient_scope", {"required": "accounts:write", "scopes": ["outcomes:write"]},
    )  # fmt: skip


def test_for_update_locks_and_returns_the_same_row(world) -> None:  # type: ignore[no-untyped-def]
    opening = world["opening_a"]
    assert (
        account_opening_get_for_actor(actor=world["admin_a"], code="uni-a", id=opening.pk, for_update=True) == opening
    )
    assert (
        account_opening_get_for_actor(actor=world["client_a"], code="uni-a", id=opening.pk, for_update=True) == opening
    )


def test_only_the_uploader_is_the_uploader(world) -> None:  # type: ignore[no-untyped-def]
    opening = world["opening_a"]
    assert account_opening_is_uploader(opening=opening, caller=world["admin_a"]) is True
    for other in ("manager", "client_a", "admin_b"):
        assert account_opening_is_uploader(opening=opening, caller=world[other]) is False
    # a queued opening's result is nobody's yet
    assert account_opening_result_available(opening=opening, caller=world["admin_a"]) is False
