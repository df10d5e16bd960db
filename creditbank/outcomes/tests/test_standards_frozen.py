"""The database refuses to change or delete a published certification standard, as the services
do; raw SQL included. Only its status moves on (published → retired)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from creditbank.outcomes import services
from creditbank.outcomes.models import CertificationStandard
from creditbank.outcomes.tests.factories import make_standard, make_standard_editor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE outcomes_certificationstandard SET credits = 99 WHERE id = %s",
        "UPDATE outcomes_certificationstandard SET title_zh = 'changed' WHERE id = %s",
        "UPDATE outcomes_certificationstandard SET hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE id = %s",
        "UPDATE outcomes_certificationstandard SET status = 'draft' WHERE id = %s",
        "DELETE FROM outcomes_certificationstandard WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_a_published_version(sql: str) -> None:
    standard = make_standard(editor=make_standard_editor())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [standard.pk])
    fresh = CertificationStandard.objects.get(pk=standard.pk)
    assert (fresh.credits, fresh.title_zh, fresh.hash, fresh.status) == (
        standard.credits, standard.title_zh, standard.hash, "published",
    )  # fmt: skip


def test_drafts_change_and_a_published_version_retires() -> None:
    editor = make_standard_editor()
    draft = services.standard_create(
        actor=editor,
        data={"outcome_type": "mooc", "code": "M1", "title_zh": "慕课", "credits": "1", "valid_from": "2026-01-01"},
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE outcomes_certificationstandard SET credits = 2 WHERE id = %s", [draft.pk])
    published = services.standard_publish(actor=editor, standard_id=draft.pk)
    assert published.credits == 2
    retired = services.standard_retire(actor=editor, standard_id=published.pk)
    assert retired.status == "retired"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE outcomes_certificationstandard SET status = 'published' WHERE id = %s", [published.pk])
