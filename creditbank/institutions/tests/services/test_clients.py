from __future__ import annotations

import hashlib

import pytest

from creditbank.audit.models import AuditEvent
from creditbank.institutions.models import ApiClient, Institution
from creditbank.institutions.services import api_client_create, api_client_revoke, api_client_rotate
from creditbank.institutions.tests.factories import make_client, make_institution
from creditbank.kernel.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


def test_create_keeps_only_the_secrets_hash(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    inst = make_institution("uni-a", admin=admin)
    client, secret = api_client_create(
        actor=admin, code="uni-a", name="教务系统", scopes=["outcomes:write", "imports:write", "outcomes:write"]
    )
    assert client.institution == inst
    assert client.client_id.startswith("cbc_") and len(client.client_id) == 24
    assert secret.startswith("cbs_") and len(secret) > 40
    assert client.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert client.scopes == "imports:write outcomes:write"
    stored = ApiClient.objects.values().get(pk=client.pk)
    assert secret not in str(stored)
    assert AuditEvent.objects.filter(action="institution.client_created", object_id=client.client_id).count() == 1
    assert secret not in str(list(AuditEvent.objects.values()))


def test_refusals(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, other = make_learner(), make_learner()
    make_institution("uni-a", admin=admin)
    with pytest.raises(DomainError) as info:
        api_client_create(actor=admin, code="uni-a", name="", scopes=["ledger:write"])
    assert info.value.code == "required"
    assert set(info.value.errors) == {"name", "scopes"}
    with pytest.raises(DomainError) as info:
        api_client_create(actor=admin, code="uni-a", name="x", scopes=[])
    assert info.value.code == "scope_unknown"
    with pytest.raises(NotFound):
        api_client_create(actor=other, code="uni-a", name="x", scopes=["outcomes:read"])
    assert ApiClient.objects.count() == 0


def test_an_inactive_institution_has_no_new_clients(make_learner) -> None:  # type: ignore[no-untyped-def]
    from creditbank.institutions.tests.factories import make_manager

    manager, admin = make_manager(), make_learner()
    inst = make_institution("uni-a", admin=admin, manager=manager)
    Institution.objects.filter(pk=inst.pk).update(active=False)
    with pytest.raises(DomainError) as info:
        api_client_create(actor=manager, code="uni-a", name="x", scopes=["outcomes:read"])
    assert (info.value.code, info.value.status) == ("institution_inactive", 409)


def test_rotate_keeps_the_previous_hash_for_the_overlap(make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    inst = make_institution("uni-a", admin=admin)
    client, old = make_client(inst, admin=admin)
    rotated, new = api_client_rotate(actor=admin, code="uni-a", id=client.pk)
    assert new != old
    assert rotated.secret_hash == hashlib.sha256(new.encode()).hexdigest()
    assert rotated.previous_secret_hash == hashlib.sha256(old.encode()).hexdigest()
    assert rotated.rotated_at is not None
    assert rotated.previous_secret_expires_at is not None
    assert round((rotated.previous_secret_expires_at - rotated.rotated_at).total_seconds()) == 24 * 3600

    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "API_CLIENT_SECRET_OVERLAP_HOURS": 0}
    again, _newest = api_client_rotate(actor=admin, code="uni-a", id=client.pk)
    assert (again.previous_secret_hash, again.previous_secret_expires_at) == ("", None)


def test_revoke_once(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    inst = make_institution("uni-a", admin=admin)
    client, _secret = make_client(inst, admin=admin)
    revoked = api_client_revoke(actor=admin, code="uni-a", id=client.pk)
    assert revoked.revoked_at is not None
    for action in (api_client_revoke, api_client_rotate):
        with pytest.raises(DomainError) as info:
            action(actor=admin, code="uni-a", id=client.pk)
        assert (info.value.code, info.value.status) == ("client_revoked", 409)
    assert list(
        AuditEvent.objects.filter(object_type="api_client").values_list("action", flat=True).order_by("id")
    ) == [
        "institution.client_created",
        "institution.client_revoked",
    ]
