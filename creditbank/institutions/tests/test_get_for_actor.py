"""The access checks: an institution's administrators and bank staff managing institutions see
its members and clients; members in other roles, other institutions' staff, learners and
anonymous callers get NotFound, the same as for an object that does not exist (and it is logged)."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser

from creditbank.accounts.roles import Acting
from creditbank.institutions.models import Membership
from creditbank.institutions.selectors import (
    api_client_get_for_actor,
    institution_get_for_actor,
    membership_get_for_actor,
)
from creditbank.institutions.tests.factories import make_client, make_institution, make_manager
from creditbank.kernel.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_learner):  # type: ignore[no-untyped-def]
    manager = make_manager()
    admin_a, admin_b, issuer_a, learner = make_learner(), make_learner(), make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a, manager=manager)
    b = make_institution("uni-b", admin=admin_b, manager=manager)
    issuer_membership = Membership.objects.create(user=issuer_a, institution=a, role="issuer")
    client_a, _secret = make_client(a, admin=admin_a)
    client_b, _secret = make_client(b, admin=admin_b)
    return {
        "manager": manager, "admin_a": admin_a, "admin_b": admin_b, "issuer_a": issuer_a, "learner": learner,
        "a": a, "b": b, "issuer_membership": issuer_membership, "client_a": client_a, "client_b": client_b,
    }  # fmt: skip


def test_the_institutions_admin_and_bank_staff_pass_the_gate(world) -> None:  # type: ignore[no-untyped-def]
    assert institution_get_for_actor(actor=world["admin_a"], code="uni-a") == world["a"]
    assert institution_get_for_actor(actor=world["manager"], code="uni-a") == world["a"]
    assert institution_get_for_actor(actor=world["manager"], code="uni-a", acting=Acting.STAFF) == world["a"]
    assert institution_get_for_actor(actor=world["admin_a"], code="uni-a", acting=Acting.OWNER) == world["a"]


@pytest.mark.parametrize("who", ["admin_b", "issuer_a", "learner", "anonymous"])
def test_anyone_else_gets_not_found(world, who) -> None:  # type: ignore[no-untyped-def]
    actor = AnonymousUser() if who == "anonymous" else world[who]
    with pytest.raises(NotFound) as info:
        institution_get_for_actor(actor=actor, code="uni-a")
    unknown = pytest.raises(NotFound)
    with unknown as missing:
        institution_get_for_actor(actor=actor, code="no-such")
    assert info.value.message == missing.value.message  # the same answer as for an unknown code


def test_acting_narrows_the_capacity(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        institution_get_for_actor(actor=world["admin_a"], code="uni-a", acting=Acting.STAFF)
    with pytest.raises(NotFound):
        institution_get_for_actor(actor=world["manager"], code="uni-a", acting=Acting.OWNER)


def test_a_refusal_is_logged(world, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="creditbank.institutions.access"), pytest.raises(NotFound):
        institution_get_for_actor(actor=world["admin_b"], code="uni-a")
    assert [r.getMessage() for r in caplog.records] == [
        f"institution access refused: account {world['admin_b'].pk} asked for institution uni-a of uni-a"
    ]


def test_memberships_of_the_institution_only(world) -> None:  # type: ignore[no-untyped-def]
    m = world["issuer_membership"]
    assert membership_get_for_actor(actor=world["admin_a"], code="uni-a", id=m.pk) == m
    assert membership_get_for_actor(actor=world["manager"], code="uni-a", id=m.pk) == m
    for actor in (world["admin_b"], world["issuer_a"], world["learner"], AnonymousUser()):
        with pytest.raises(NotFound):
            membership_get_for_actor(actor=actor, code="uni-a", id=m.pk)


def test_another_institutions_membership_through_ones_own_path_is_not_found_and_logged(world, caplog) -> None:  # type: ignore[no-untyped-def]
    b_admin_membership = Membership.objects.get(institution=world["b"], role="admin")
    with caplog.at_level(logging.WARNING, logger="creditbank.institutions.access"), pytest.raises(NotFound):
        membership_get_for_actor(actor=world["admin_a"], code="uni-a", id=b_admin_membership.pk)
    assert len(caplog.records) == 1
    assert "membership" in caplog.records[0].getMessage()


def test_clients_of_the_institution_only(world) -> None:  # type: ignore[no-untyped-def]
    c = world["client_a"]
    assert api_client_get_for_actor(actor=world["admin_a"], code="uni-a", id=c.pk) == c
    assert api_client_get_for_actor(actor=world["manager"], code="uni-a", id=c.pk) == c
    with pytest.raises(NotFound):
        api_client_get_for_actor(actor=world["admin_a"], code="uni-a", id=world["client_b"].pk)
    with pytest.raises(NotFound):
        api_client_get_for_actor(actor=world["admin_a"], code="uni-b", id=world["client_b"].pk)
    with pytest.raises(NotFound):
        api_client_get_for_actor(actor=world["issuer_a"], code="uni-a", id=c.pk)
    with pytest.raises(NotFound):
        api_client_get_for_actor(actor=world["admin_a"], code="uni-a", id=999999)
