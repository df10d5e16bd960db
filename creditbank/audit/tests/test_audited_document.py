"""audited_document: a stored document read for someone else leaves one audit row; its owner
reads it without one; a missing row or a missing file is NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from creditbank.audit.models import AuditEvent
from creditbank.audit.services import audited_document
from creditbank.kernel.errors import NotFound
from creditbank.kernel.vault import vault
from tests.factories import ReviewerFactory, VerifiedLearnerFactory

pytestmark = pytest.mark.django_db
CONTEXT = "outcomes.outcome.evidence"  # a declared vault context


@dataclass
class Stored:
    blob: str
    content_type: str = "application/pdf"
    filename: str = "成绩单.pdf"


def read(actor: Any, owner: Any, document: Any) -> tuple[bytes, str, str]:
    return audited_document(
        actor=actor, owner=owner, document=document, context=CONTEXT, action="test.viewed", object_type="test",
        object_id="1:2", client_address="203.0.113.9",
    )  # fmt: skip


def test_someone_elses_document_is_read_and_recorded() -> None:
    owner, staff = VerifiedLearnerFactory(), ReviewerFactory()
    stored = Stored(vault().save(b"%PDF-1.4 ...", context=CONTEXT))
    data, content_type, name = read(staff, owner, stored)
    assert (data, content_type, name) == (b"%PDF-1.4 ...", "application/pdf", "成绩单.pdf")
    event = AuditEvent.objects.get(action="test.viewed")
    assert (event.actor, event.subject, event.action, event.object_id, event.client_address) == (
        staff, owner, "test.viewed", "1:2", "203.0.113.9",
    )  # fmt: skip


def test_the_owner_reads_without_a_record() -> None:
    owner = VerifiedLearnerFactory()
    stored = Stored(vault().save(b"x", context=CONTEXT))
    assert read(owner, owner, stored)[0] == b"x"
    assert not AuditEvent.objects.filter(action="test.viewed").exists()


def test_no_document_or_a_missing_file_is_not_found() -> None:
    owner, staff = VerifiedLearnerFactory(), ReviewerFactory()
    gone = Stored(vault().save(b"x", context=CONTEXT))
    vault().delete(gone.blob)
    for document in (None, gone):
        with pytest.raises(NotFound):
            read(staff, owner, document)
    assert not AuditEvent.objects.filter(action="test.viewed").exists()
