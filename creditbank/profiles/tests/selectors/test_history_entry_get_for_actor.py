"""history_entry_get_for_actor: an education or work entry for its owner only. Nobody else sees
history entries, staff included (no role grants it): they get the same NotFound as for an entry
that does not exist, and the refused look-up of an existing entry is logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from creditbank.kernel.errors import NotFound
from creditbank.profiles.models import EducationEntry, WorkEntry
from creditbank.profiles.selectors import history_entry_get_for_actor
from tests import factories
from tests.row_locks import expected_locks, locking

LOGGER = "creditbank.profiles.selectors"


@pytest.fixture
def education(db: Any) -> EducationEntry:
    return factories.EducationEntryFactory()


def refused(actor: Any, kind: str, id: int) -> NotFound:
    with pytest.raises(NotFound) as info:
        history_entry_get_for_actor(actor=actor, kind=kind, id=id)
    return info.value


def test_the_owner_gets_their_entries_of_each_kind(education: EducationEntry) -> None:
    work = factories.WorkEntryFactory(user=education.user)
    got = history_entry_get_for_actor(actor=education.user, kind="education", id=education.pk)
    assert (type(got), got.pk, got.school) == (EducationEntry, education.pk, "北京大学")
    got = history_entry_get_for_actor(actor=education.user, kind="work", id=work.pk)
    assert (type(got), got.pk, got.employer) == (WorkEntry, work.pk, "某科技有限公司")


def test_another_learner_gets_the_answer_for_an_entry_that_does_not_exist(
    education: EducationEntry, caplog: pytest.LogCaptureFixture
) -> None:
    other = factories.LearnerFactory()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        hidden = refused(other, "education", education.pk)
    assert [r.getMessage() for r in caplog.records if r.name == LOGGER] == [
        f"history entry access refused kind=education entry={education.pk} actor={other.pk}"
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        missing = refused(other, "education", education.pk + 1000)
    assert [r for r in caplog.records if r.name == LOGGER] == []  # nothing to report: no such entry
    assert (hidden.code, hidden.status, str(hidden.message)) == (missing.code, missing.status, str(missing.message))


@pytest.mark.parametrize(
    "make",
    [
        factories.ReviewerFactory,
        factories.ChangeReviewerFactory,
        factories.VerificationReviewerFactory,
        factories.SupportStaffFactory,
    ],
)
def test_no_staff_role_reaches_a_learners_history(education: EducationEntry, make: Any) -> None:
    assert refused(make(), "education", education.pk).code == "not_found"


def test_the_kind_picks_the_table(education: EducationEntry) -> None:
    assert refused(education.user, "work", education.pk).code == "not_found"


def test_an_unknown_id_is_not_found(education: EducationEntry) -> None:
    assert refused(education.user, "education", education.pk + 1).code == "not_found"


def test_for_update_locks_the_entry_row_inside_the_transaction(education: EducationEntry) -> None:
    with locking() as locks:
        got = history_entry_get_for_actor(actor=education.user, kind="education", id=education.pk, for_update=True)
    assert got.pk == education.pk
    assert locks == expected_locks()


def test_for_update_refuses_others_as_without_it(education: EducationEntry) -> None:
    with locking(), pytest.raises(NotFound):
        history_entry_get_for_actor(
            actor=factories.LearnerFactory(), kind="education", id=education.pk, for_update=True
        )
