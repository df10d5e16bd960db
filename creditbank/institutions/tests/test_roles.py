"""Roles held at an institution: accounts.roles asks the institutions context (registered at
app ready), for one institution or any."""

from __future__ import annotations

import pytest

from creditbank.accounts import roles
from creditbank.accounts.roles import Role, has_role, require_role
from creditbank.institutions.models import Institution, Membership
from creditbank.institutions.selectors import institution_role_held
from creditbank.institutions.tests.factories import make_institution, make_manager
from creditbank.kernel.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_the_institutions_context_registered_its_answer() -> None:
    assert roles._institution_roles["resolver"] is institution_role_held


def test_a_membership_is_a_role_at_that_institution_only(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_a, admin_b = make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a)
    b = make_institution("uni-b", admin=admin_b)
    assert has_role(admin_a, Role.INSTITUTION_ADMIN, institution=a) is True
    assert has_role(admin_a, Role.INSTITUTION_ADMIN, institution=b) is False
    assert has_role(admin_a, Role.INSTITUTION_ADMIN, institution=a.pk) is True  # a primary key will do
    assert has_role(admin_a, Role.INSTITUTION_ADMIN) is True  # at any institution
    assert has_role(admin_a, Role.INSTITUTION_ISSUER, institution=a) is False  # another role
    assert has_role(admin_a, Role.INSTITUTION_REVIEWER) is False


def test_issuer_and_reviewer_roles(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, issuer = make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin)
    Membership.objects.create(user=issuer, institution=a, role="issuer")
    assert has_role(issuer, Role.INSTITUTION_ISSUER, institution=a) is True
    assert has_role(issuer, Role.INSTITUTION_REVIEWER, institution=a) is False
    assert has_role(issuer, Role.INSTITUTION_ADMIN, institution=a) is False


def test_an_inactive_institution_gives_no_role(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    a = make_institution("uni-a", admin=admin)
    Institution.objects.filter(pk=a.pk).update(active=False)
    assert has_role(admin, Role.INSTITUTION_ADMIN, institution=a) is False


def test_nobody_holds_an_institution_role_until_it_is_registered(make_learner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    a = make_institution("uni-a", admin=admin)
    monkeypatch.setattr(roles, "_institution_roles", {})
    assert has_role(admin, Role.INSTITUTION_ADMIN, institution=a) is False


def test_anonymous_and_inactive_accounts_hold_nothing(make_learner) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    admin = make_learner()
    a = make_institution("uni-a", admin=admin)
    assert has_role(AnonymousUser(), Role.INSTITUTION_ADMIN, institution=a) is False
    admin.is_active = False
    assert has_role(admin, Role.INSTITUTION_ADMIN, institution=a) is False


def test_the_manager_role_is_a_bank_permission_not_a_membership(make_learner) -> None:  # type: ignore[no-untyped-def]
    manager = make_manager()
    learner = make_learner()
    assert has_role(manager, Role.INSTITUTION_MANAGER) is True
    assert has_role(learner, Role.INSTITUTION_MANAGER) is False
    a = make_institution("uni-a", admin=learner, manager=manager)
    assert has_role(manager, Role.INSTITUTION_ADMIN, institution=a) is False  # staff are not members


def test_require_role_at_an_institution(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_a, admin_b = make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a)
    make_institution("uni-b", admin=admin_b)
    require_role(admin_a, Role.INSTITUTION_ADMIN, code="x", message="no", institution=a)
    with pytest.raises(PermissionDenied) as info:
        require_role(admin_b, Role.INSTITUTION_ADMIN, code="not_admin_here", message="no", institution=a)
    assert info.value.code == "not_admin_here"
