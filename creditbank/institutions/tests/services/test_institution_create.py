from __future__ import annotations

import pytest

from creditbank.audit.models import AuditEvent
from creditbank.institutions.models import Institution, Membership
from creditbank.institutions.services import institution_clean, institution_create
from creditbank.institutions.tests.factories import USCC_A, make_manager
from creditbank.kernel.errors import DomainError

pytestmark = pytest.mark.django_db

FIELDS = {"code": "sh-open", "name_zh": "上海开放大学", "name_en": "Shanghai Open University", "kind": "university",
          "region": "310000", "uscc": USCC_A}  # fmt: skip


def test_creates_the_institution_and_its_first_admin(make_learner) -> None:  # type: ignore[no-untyped-def]
    manager, admin = make_manager(), make_learner()
    inst = institution_create(actor=manager, admin=admin.email, client_address="10.1.1.1", **FIELDS)
    assert (inst.code, inst.name_zh, inst.kind, inst.region, inst.uscc, inst.active) == (
        "sh-open", "上海开放大学", "university", "310000", USCC_A, True,
    )  # fmt: skip
    assert list(Membership.objects.values_list("user_id", "institution_id", "role")) == [(admin.pk, inst.pk, "admin")]
    assert list(AuditEvent.objects.order_by("id").values_list("actor_id", "action", "object_id", "subject_id")) == [
        (manager.pk, "institution.created", "sh-open", None),
        (manager.pk, "institution.member_added", "sh-open", admin.pk),
    ]


def test_only_institution_managers_may(make_learner) -> None:  # type: ignore[no-untyped-def]
    learner = make_learner()
    with pytest.raises(DomainError) as info:
        institution_create(actor=learner, admin=learner.email, **FIELDS)
    assert (info.value.code, info.value.status) == ("not_institution_manager", 403)
    assert Institution.objects.count() == 0


def test_every_refused_field_at_once_and_nothing_stored(make_learner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as info:
        institution_create(
            actor=make_manager(), admin="nobody@example.com", code="SH_OPEN", name_zh="", kind="castle",
            region="990000", uscc="91350100M000100Y44",
        )  # fmt: skip
    assert info.value.code == "institution_code_format"
    assert set(info.value.errors) == {"code", "name_zh", "kind", "region", "uscc", "admin"}
    assert Institution.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_the_uscc_error_says_which_rule(make_learner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as info:
        institution_clean(code="ok", name_zh="名", kind="employer", region="110000", uscc="91350100M000100Y44")
    assert info.value.code == "uscc_check"
    assert list(info.value.errors) == ["uscc"]


def test_the_uscc_is_normalised_and_optional() -> None:
    fields = institution_clean(code="ok", name_zh="名", kind="employer", region="110000", uscc=" 91350100m000100y43 ")
    assert fields.uscc == "91350100M000100Y43"
    assert institution_clean(code="ok", name_zh="名", kind="employer", region="110000", uscc="").uscc is None


def test_code_and_uscc_taken(make_learner) -> None:  # type: ignore[no-untyped-def]
    manager, admin = make_manager(), make_learner()
    institution_create(actor=manager, admin=admin.account_no, **FIELDS)
    with pytest.raises(DomainError) as info:
        institution_create(actor=manager, admin=admin.account_no, **FIELDS)
    assert (info.value.code, info.value.status) == ("institution_code_taken", 409)
    assert set(info.value.errors) == {"code", "uscc"}
    with pytest.raises(DomainError) as info:
        institution_create(actor=manager, admin=admin.account_no, **{**FIELDS, "code": "other"})
    assert info.value.code == "uscc_taken"
    assert Institution.objects.count() == 1


def test_several_institutions_without_a_uscc(make_learner) -> None:  # type: ignore[no-untyped-def]
    manager, admin = make_manager(), make_learner()
    institution_create(actor=manager, admin=admin.account_no, **{**FIELDS, "uscc": None})
    institution_create(actor=manager, admin=admin.account_no, **{**FIELDS, "code": "two", "uscc": ""})
    assert list(Institution.objects.values_list("uscc", flat=True)) == [None, None]
