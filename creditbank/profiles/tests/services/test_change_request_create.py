"""change_request_create: a verified learner asks to change a locked field with 1–5 proofs; the new
value is sealed, the proofs are encrypted in the vault. A refusal stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from creditbank.accounts.models import User
from creditbank.kernel.errors import DomainError
from creditbank.kernel.pii import cipher
from creditbank.kernel.vault import vault
from creditbank.profiles.models import ChangeRequest, ChangeRequestProof
from creditbank.profiles.personal_data import PROOF_CONTEXT, REQUEST_VALUE_CONTEXT
from creditbank.profiles.services import change_request_create
from tests import factories
from tests.vault_files import vault_files


@pytest.fixture
def learner(db: Any) -> User:
    return factories.VerifiedLearnerFactory(name="张三")


def create(user: User, **over: Any) -> ChangeRequest:
    values = {
        "field": "name",
        "new_value": "张三丰",
        "reason": "改名，已更新户口簿",
        "proofs": [factories.proof_jpeg()],
    }
    return change_request_create(user=user, **(values | over))


def test_a_name_change_is_stored_sealed_with_its_proofs(learner: User) -> None:
    files = vault_files()
    request = create(learner, proofs=[factories.proof_jpeg(1, "户口簿.jpg"), factories.proof_jpeg(2)])

    row = ChangeRequest.objects.get(user=learner)
    assert row.pk == request.pk
    assert (row.kind, row.field, row.status, row.reason) == ("locked", "name", "pending", "改名，已更新户口簿")
    assert (row.new_value_masked, row.old_value_masked) == ("张三丰", "张三")
    assert cipher().decrypt(row.new_value_enc, context=REQUEST_VALUE_CONTEXT) == "张三丰"
    assert "张三丰" not in row.new_value_enc
    proofs = list(row.proofs.order_by("pk"))
    assert [p.filename for p in proofs] == ["户口簿.jpg", "proof.jpg"]
    assert {p.blob for p in proofs} == vault_files() - files
    for proof in proofs:
        data = vault().read(proof.blob, context=PROOF_CONTEXT)
        assert (proof.content_type, proof.size) == ("image/jpeg", len(data))
    assert User.objects.get(pk=learner.pk).name == "张三"  # nothing applies before a reviewer approves


def test_an_id_number_change_keeps_only_masked_values_in_clear(learner: User) -> None:
    new = factories.id_number_for(777_001)
    request = create(learner, field="id_number", new_value=new.lower())
    assert request.new_value_masked == f"{new[:6]}********{new[-4:]}"
    assert request.old_value_masked == learner.id_number_masked
    assert cipher().decrypt(request.new_value_enc, context=REQUEST_VALUE_CONTEXT) == new


def refused(user: User, **over: Any) -> DomainError:
    files = vault_files()
    rows = (ChangeRequest.objects.count(), ChangeRequestProof.objects.count())
    with pytest.raises(DomainError) as info:
        create(user, **over)
    assert (ChangeRequest.objects.count(), ChangeRequestProof.objects.count()) == rows
    assert vault_files() == files
    return info.value


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"field": "email"}, "field_not_requestable", "field"),
        ({"new_value": "张三"}, "unchanged", "new_value"),
        ({"field": "gender", "new_value": "X"}, "choice_invalid", "new_value"),
        ({"field": "id_number", "new_value": "110105194912310022"}, "id_number_checksum", "new_value"),
        ({"reason": "   "}, "required", "reason"),
        ({"reason": "x" * 501}, "too_long", "reason"),
        ({"proofs": []}, "proof_required", "proof"),
        ({"proofs": [factories.proof_jpeg(i) for i in range(6)]}, "too_many_files", "proof"),
    ],
    ids=["not-locked", "unchanged", "gender", "id-checksum", "no-reason", "long-reason", "no-proof", "six-proofs"],
)
def test_a_bad_request_stores_nothing(learner: User, over: dict[str, Any], code: str, field: str) -> None:
    error = refused(learner, **over)
    assert (error.code, list(error.errors)) == (code, [field])


def test_an_unverified_learner_cannot_ask(db: Any) -> None:
    error = refused(factories.LearnerFactory())
    assert (error.code, error.status, error.extra["next_step"]) == ("not_verified", 403, "verify_identity")


def test_one_open_request_per_field(learner: User) -> None:
    first = create(learner)
    error = refused(learner, new_value="张三四")
    assert (error.code, error.status, list(error.errors)) == ("change_pending", 409, ["field"])
    assert list(ChangeRequest.objects.filter(user=learner)) == [first]
    other_field = create(learner, field="gender", new_value="F" if learner.gender == "M" else "M")
    assert other_field.status == "pending"
