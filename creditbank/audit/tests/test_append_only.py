"""The audit trail is append-only in the database itself, whatever the code does."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from creditbank.audit.models import AuditEvent
from creditbank.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(reviewer) -> AuditEvent:  # type: ignore[no-untyped-def]
    return audit_record(actor=reviewer, action="pii.revealed", object_type="verification", object_id=1, reason="x")


def _refused(sql: str, params: list[object]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_is_refused(event) -> None:  # type: ignore[no-untyped-def]
    _refused("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["rewritten", event.pk])
    event.refresh_from_db()
    assert event.reason == "x"


def test_raw_delete_is_refused(event) -> None:  # type: ignore[no-untyped-def]
    _refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_orm_update_and_delete_are_refused(event) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "x"


def test_appending_still_works(event, reviewer) -> None:  # type: ignore[no-untyped-def]
    audit_record(actor=reviewer, action="pii.revealed", object_type="verification", object_id=2, reason="y")
    assert list(AuditEvent.objects.order_by("id").values_list("reason", flat=True)) == ["x", "y"]
