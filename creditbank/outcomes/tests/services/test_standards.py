"""Certification standards: drafts, publication with a hash, versions from a date, retirement,
and who may edit which."""

from __future__ import annotations

from datetime import date

import pytest

from creditbank.kernel.errors import DomainError, NotFound
from creditbank.outcomes import selectors, services
from creditbank.outcomes.models import CertificationStandard
from creditbank.outcomes.tests.factories import make_school, make_standard, make_standard_editor
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.django_db


def test_publish_revise_and_the_version_in_force() -> None:
    editor = make_standard_editor()
    v1 = make_standard(editor=editor, code="math101", credits="4", valid_from="2020-01-01")
    assert (v1.series, v1.status, v1.version) == ("bank:academic_credit:MATH101", "published", 1)
    assert v1.hash == services.standard_record(v1).sha256()
    with pytest.raises(DomainError) as refused:
        services.standard_update(
            actor=editor, standard_id=v1.pk, data={"title_zh": "改", "credits": "9", "valid_from": "2020-01-01"}
        )
    assert refused.value.code == "standard_not_draft"

    v2 = services.standard_revise(actor=editor, standard_id=v1.pk, valid_from=date(2019, 1, 1))
    services.standard_update(
        actor=editor, standard_id=v2.pk,
        data={"title_zh": "高等数学", "credits": "5", "valid_from": "2019-06-01"},
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        services.standard_publish(actor=editor, standard_id=v2.pk)
    assert (refused.value.code, refused.value.field) == ("standard_version_date", "valid_from")
    services.standard_update(
        actor=editor, standard_id=v2.pk, data={"title_zh": "高等数学", "credits": "5", "valid_from": "2026-09-01"}
    )
    v2 = services.standard_publish(actor=editor, standard_id=v2.pk)
    assert v2.version == 2 and v2.hash != v1.hash
    find = lambda on: selectors.standard_in_force(outcome_type="academic_credit", code="MATH101", owner=None, on=on)  # noqa: E731
    assert find(date(2026, 8, 31)) == v1 and find(date(2026, 9, 1)) == v2
    v1.refresh_from_db()
    assert v1.credits == 4 and v1.hash == services.standard_record(v1).sha256()  # untouched

    services.standard_retire(actor=editor, standard_id=v2.pk)
    assert find(date(2026, 9, 1)) is None
    assert set(CertificationStandard.objects.values_list("status", flat=True)) == {"retired"}


def test_an_institution_standard_comes_before_the_banks() -> None:
    school = make_school("uni-a")
    bank = make_standard(editor=make_standard_editor(), credits="3")
    own = make_standard(editor=school.admin, owner="uni-a", credits="4")
    assert (
        selectors.standard_in_force(
            outcome_type="academic_credit", code="math101", owner=school.institution, on=date(2026, 1, 1)
        )
        == own
    )
    assert (
        selectors.standard_in_force(outcome_type="academic_credit", code="MATH101", owner=None, on=date(2026, 1, 1))
        == bank
    )


def test_who_may_edit() -> None:
    a, b = make_school("uni-a"), make_school("uni-b")
    own = make_standard(editor=a.admin, owner="uni-a")
    for outsider in (b.admin, a.issuer, VerifiedLearnerFactory()):
        with pytest.raises(NotFound):
            services.standard_revise(actor=outsider, standard_id=own.pk)
        with pytest.raises(NotFound):
            make_standard(editor=outsider, owner="uni-a", code="OTHER1")
    with pytest.raises(NotFound):
        make_standard(editor=a.admin, code="BANK1")  # the bank's own: bank staff only
    assert CertificationStandard.objects.count() == 1


def test_field_errors_at_once() -> None:
    with pytest.raises(DomainError) as refused:
        services.standard_create(
            actor=make_standard_editor(),
            data={"outcome_type": "x", "code": "a b", "credits": "0", "valid_from": "2026-02-30"},
        )
    assert set(refused.value.errors) == {"outcome_type", "code", "title_zh", "credits", "valid_from"}
    assert not CertificationStandard.objects.exists()
