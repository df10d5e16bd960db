"""verification_submit: both sides cleaned and stored encrypted, the pre-check queued after commit;
every refusal stores nothing (no attempt, no file)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from creditbank.accounts.models import AccountStatus, User
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.personal_data import PHOTO_CONTEXT
from creditbank.identity.services import CONSENT_VERSION, verification_submit, verification_withdraw
from creditbank.kernel.errors import DomainError, PermissionDenied, RateLimited
from creditbank.kernel.vault import vault
from tests import factories
from tests.vault_files import vault_files


@pytest.fixture
def learner(db: Any) -> User:
    return factories.LearnerFactory(name="王芳")


def submit(user: User, *, seed: int = 1, **over: Any) -> VerificationAttempt:
    front, back = factories.id_card_photos(user, seed)
    return verification_submit(**({"user": user, "consent": True, "id_front": front, "id_back": back} | over))


def test_stores_both_sides_encrypted_and_queues_the_pre_check_after_commit(learner: User) -> None:
    files = vault_files()
    with TestCase.captureOnCommitCallbacks() as callbacks:
        attempt = submit(learner)

    row = VerificationAttempt.objects.get(user=learner)
    assert row.pk == attempt.pk
    assert (row.status, row.declared_name, row.declared_gender) == ("pending", "王芳", learner.gender)
    assert row.consent_version == CONSENT_VERSION
    assert timezone.now() - row.consent_at < timedelta(minutes=1)
    assert row.checks == [{"name": "precheck", "status": "queued", "detail": "", "data": {}}]
    assert row.checks_completed_at is None
    for blob, sha256, dhash in ((row.front_blob, row.front_sha256, row.front_dhash),
                                (row.back_blob, row.back_sha256, row.back_dhash)):  # fmt: skip
        raw = (vault().root / blob[:2] / blob).read_bytes()
        assert raw.startswith(b"CBE1") and b"JFIF" not in raw  # sealed at rest
        photo = vault().read(blob, context=PHOTO_CONTEXT)
        assert photo.startswith(b"\xff\xd8\xff")
        assert hashlib.sha256(photo).hexdigest() == sha256
        assert len(dhash) == 16
    assert vault_files() - files == {row.front_blob, row.back_blob}
    assert len(callbacks) == 1  # the pre-check, once committed
    callbacks[0]()
    row.refresh_from_db()
    assert row.checks_completed_at is not None
    assert [c["name"] for c in row.checks][:2] == ["id_number_rules", "gender_consistent"]


def refused(user: User, **over: Any) -> DomainError:
    files = vault_files()
    with pytest.raises(DomainError) as info:
        submit(user, **over)
    assert vault_files() == files
    return info.value


def test_a_registered_account_is_sent_to_its_activation_email(db: Any) -> None:
    user = factories.RegisteredLearnerFactory()
    error = refused(user)
    assert isinstance(error, PermissionDenied)
    assert (error.code, error.status, error.extra) == ("not_activated", 403, {"next_step": "activate_email"})
    assert not VerificationAttempt.objects.exists()


def test_a_verified_account_is_already_verified(db: Any) -> None:
    user = factories.VerifiedLearnerFactory()
    error = refused(user)
    assert (error.code, error.status) == ("already_verified", 409)
    assert VerificationAttempt.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("status", [AccountStatus.SUSPENDED, AccountStatus.CLOSED])
def test_a_suspended_or_closed_account_is_refused(learner: User, status: str) -> None:
    User.objects.filter(pk=learner.pk).update(status=status)  # no service suspends or closes yet
    error = refused(User.objects.get(pk=learner.pk))
    assert (error.code, error.status) == ("account_inactive", 403)
    assert not VerificationAttempt.objects.exists()


def test_one_pending_attempt_at_a_time(db: Any) -> None:
    user = factories.PendingLearnerFactory()
    error = refused(user, seed=2)
    assert (error.code, error.status) == ("verification_pending", 409)
    assert VerificationAttempt.objects.filter(user=user).count() == 1


def test_the_attempts_of_the_day_are_counted(learner: User, settings: Any) -> None:
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_ATTEMPTS_PER_DAY": 1}
    submit(learner)
    verification_withdraw(user=learner)
    error = refused(learner, seed=2)
    assert isinstance(error, RateLimited)
    assert error.code == "verification_attempts_exhausted"
    assert 0 < error.retry_after <= 24 * 3600
    assert VerificationAttempt.objects.filter(user=learner).count() == 1


@pytest.mark.parametrize("consent", [False, "true", None])
def test_consent_must_be_given(learner: User, consent: Any) -> None:
    error = refused(learner, consent=consent)
    assert (error.code, list(error.errors)) == ("consent_required", ["consent"])
    assert not VerificationAttempt.objects.exists()


@pytest.mark.parametrize("side", ["id_front", "id_back"])
def test_both_sides_are_needed(learner: User, side: str) -> None:
    error = refused(learner, **{side: None})
    assert (error.code, list(error.errors)) == ("upload_missing", [side])
    assert not VerificationAttempt.objects.exists()


def test_the_same_photo_on_both_sides_is_refused(learner: User) -> None:
    front, _back = factories.id_card_photos(learner, 1)
    again, _ = factories.id_card_photos(learner, 1)
    error = refused(learner, id_front=front, id_back=again)
    assert (error.code, list(error.errors)) == ("photos_identical", ["id_back"])
    assert not VerificationAttempt.objects.exists()
