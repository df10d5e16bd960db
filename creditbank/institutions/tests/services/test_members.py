from __future__ import annotations

import pytest

from creditbank.audit.models import AuditEvent
from creditbank.institutions.models import Membership
from creditbank.institutions.services import member_add, member_remove
from creditbank.institutions.tests.factories import make_institution, make_manager
from creditbank.kernel.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


def test_add_by_account_number_or_email(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, issuer, reviewer = make_learner(), make_learner(), make_learner()
    inst = make_institution("uni-a", admin=admin)
    m1 = member_add(actor=admin, code="uni-a", account=issuer.account_no, role="issuer")
    m2 = member_add(actor=admin, code="uni-a", account=reviewer.email.upper(), role="reviewer")
    assert (m1.user, m1.role, m2.user, m2.role) == (issuer, "issuer", reviewer, "reviewer")
    assert m1.institution == inst
    assert AuditEvent.objects.filter(action="institution.member_added", actor=admin).count() == 2


def test_phone_and_id_number_do_not_name_a_member(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, other = make_learner(), make_learner()
    make_institution("uni-a", admin=admin)
    from creditbank.accounts.services import user_reveal_pii

    pii = user_reveal_pii(user=other)
    for identifier in (pii["phone"], pii["id_number"], "nobody@example.com", ""):
        with pytest.raises(DomainError) as info:
            member_add(actor=admin, code="uni-a", account=identifier, role="issuer")
        assert info.value.code == "member_account_unknown"
    assert Membership.objects.count() == 1


def test_the_same_role_twice_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, issuer = make_learner(), make_learner()
    make_institution("uni-a", admin=admin)
    member_add(actor=admin, code="uni-a", account=issuer.email, role="issuer")
    with pytest.raises(DomainError) as info:
        member_add(actor=admin, code="uni-a", account=issuer.email, role="issuer")
    assert (info.value.code, info.value.status) == ("membership_exists", 409)
    member_add(actor=admin, code="uni-a", account=issuer.email, role="reviewer")  # another role is fine
    assert Membership.objects.filter(user=issuer).count() == 2


def test_an_unknown_role_is_refused(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    make_institution("uni-a", admin=admin)
    with pytest.raises(DomainError) as info:
        member_add(actor=admin, code="uni-a", account=admin.email, role="owner")
    assert (info.value.code, info.value.extra["allowed"]) == ("choice_invalid", ["issuer", "reviewer", "admin"])


def test_only_the_institutions_admins_and_managers(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_a, admin_b, person = make_learner(), make_learner(), make_learner()
    manager = make_manager()
    make_institution("uni-a", admin=admin_a, manager=manager)
    make_institution("uni-b", admin=admin_b, manager=manager)
    with pytest.raises(NotFound):
        member_add(actor=admin_b, code="uni-a", account=person.email, role="issuer")
    member_add(actor=manager, code="uni-a", account=person.email, role="issuer")
    issuer_membership = Membership.objects.get(user=person)
    with pytest.raises(NotFound):
        member_remove(actor=admin_b, code="uni-a", membership_id=issuer_membership.pk)
    with pytest.raises(NotFound):  # another institution's member through one's own institution
        member_remove(actor=admin_b, code="uni-b", membership_id=issuer_membership.pk)
    assert Membership.objects.filter(pk=issuer_membership.pk).exists()


def test_remove_and_keep_the_last_admin(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, second = make_learner(), make_learner()
    make_institution("uni-a", admin=admin)
    first_admin = Membership.objects.get(user=admin)
    with pytest.raises(DomainError) as info:
        member_remove(actor=admin, code="uni-a", membership_id=first_admin.pk)
    assert (info.value.code, info.value.status) == ("last_admin", 409)
    second_admin = member_add(actor=admin, code="uni-a", account=second.email, role="admin")
    member_remove(actor=second, code="uni-a", membership_id=first_admin.pk)
    assert list(Membership.objects.values_list("pk", flat=True)) == [second_admin.pk]
    event = AuditEvent.objects.get(action="institution.member_removed")
    assert (event.actor, event.subject, event.object_id, event.reason) == (second, admin, "uni-a", "admin")
