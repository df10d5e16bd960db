"""history_create: a verified learner adds an education or work entry (and its evidence) all at
once or not at all; every invalid field is reported at once; at most 50 entries of a kind."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from creditbank.accounts.models import User
from creditbank.kernel.errors import DomainError
from creditbank.kernel.vault import vault
from creditbank.profiles.models import EducationEntry, WorkEntry
from creditbank.profiles.personal_data import EVIDENCE_CONTEXT
from creditbank.profiles.services import history_create
from creditbank.profiles.services.history import MAX_ENTRIES
from tests import factories
from tests.vault_files import vault_files

EDUCATION = {
    "school": " 北京大学 ",
    "level": "bachelor",
    "study_mode": "full_time",
    "start": "2015-09",
    "end": "2019-07",
}
WORK = {"employer": "某公司", "position": "工程师", "start": "2019-08", "current": True}


@pytest.fixture
def learner(db: Any) -> User:
    return factories.VerifiedLearnerFactory()


def test_creates_an_education_entry_with_its_evidence_sealed(learner: User) -> None:
    files = vault_files()
    entry = history_create(kind="education", user=learner, data=EDUCATION, evidence=factories.proof_jpeg())
    row = EducationEntry.objects.get(user=learner)
    assert (row.pk, row.school, row.major, row.level, row.study_mode) == (
        entry.pk,
        "北京大学",
        "",
        "bachelor",
        "full_time",
    )
    assert (row.start, row.end) == (date(2015, 9, 1), date(2019, 7, 1))
    assert vault_files() - files == {row.evidence_blob}
    assert vault().read(row.evidence_blob, context=EVIDENCE_CONTEXT).startswith(b"\xff\xd8\xff")
    assert row.evidence_content_type == "image/jpeg"


def test_creates_an_ongoing_work_entry(learner: User) -> None:
    history_create(kind="work", user=learner, data=WORK)
    row = WorkEntry.objects.get(user=learner)
    assert (row.employer, row.current, row.end, row.evidence_blob) == ("某公司", True, None, "")


def refused(user: User, kind: str, data: dict[str, Any], **over: Any) -> DomainError:
    files = vault_files()
    rows = (EducationEntry.objects.count(), WorkEntry.objects.count())
    with pytest.raises(DomainError) as info:
        history_create(kind=kind, user=user, data=data, **over)
    assert (EducationEntry.objects.count(), WorkEntry.objects.count()) == rows
    assert vault_files() == files
    return info.value


def test_every_invalid_field_is_reported_at_once(learner: User) -> None:
    error = refused(learner, "education", {"school": "", "level": "phd", "study_mode": "x", "start": "2015/09"})
    assert error.code == "required"
    assert list(error.errors) == ["school", "level", "study_mode", "start"]


def test_the_end_cannot_be_before_the_start(learner: User) -> None:
    error = refused(learner, "work", WORK | {"current": False, "start": "2020-01", "end": "2019-12"})
    assert (error.code, list(error.errors)) == ("end_before_start", ["end"])


def test_an_unverified_learner_cannot_add_history(db: Any) -> None:
    error = refused(factories.LearnerFactory(), "education", EDUCATION)
    assert (error.code, error.status) == ("not_verified", 403)


def test_a_bad_evidence_file_stores_nothing(learner: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = SimpleUploadedFile("e.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', content_type="image/jpeg")
    assert refused(learner, "education", EDUCATION, evidence=svg).code == "upload_type_not_allowed"


def test_at_most_fifty_entries_of_a_kind(learner: User) -> None:
    for _ in range(MAX_ENTRIES):
        history_create(kind="work", user=learner, data=WORK)
    error = refused(learner, "work", WORK)
    assert (MAX_ENTRIES, error.code, error.status) == (50, "too_many_entries", 409)
    assert history_create(kind="education", user=learner, data=EDUCATION).school == "北京大学"
