"""Key rotation covers every ciphertext and every encrypted file the project stores.

The documented procedure (docs/OPERATIONS.md): new key first, old keys after it, run
``rotate_pii_keys``, remove the old keys. After it, every sealed value must still open.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from conftest import PASSWORD
from creditbank.accounts.models import AccountStatus
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.identity.specimens import card_front
from creditbank.kernel.crypto import CryptoError, FieldCipher
from creditbank.kernel.personal_data import (
    UndeclaredContext,
    sealed_columns,
    text_contexts,
    vault_files,
)
from creditbank.kernel.pii import cipher
from creditbank.kernel.vault import vault
from creditbank.profiles.models import ChangeRequest, ContactChange, Profile
from creditbank.profiles.personal_data import EMERGENCY_PHONE_CONTEXT
from tests.factories import PendingLearnerFactory


def _jpeg(seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        f"p{seed}.jpg", card_front(name="陈静", id_number="11010519491231002X", seed=seed), content_type="image/jpeg"
    )


@pytest.fixture
def every_kind_of_sealed_data(make_learner, settings, django_capture_on_commit_callbacks) -> Any:  # type: ignore[no-untyped-def]
    """One of each: account ID number and phone, ID photos, emergency phone, locked and reviewed
    change requests with proofs, email and phone changes, history evidence, a ticket attachment."""
    from creditbank.notices import services as notice_services
    from creditbank.profiles import services as profile_services

    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "PROFILE_FIELDS_REQUIRING_REVIEW": ["occupation"]}
    user = make_learner(AccountStatus.VERIFIED, id_number="11010519491231002X", phone="13912345671")
    PendingLearnerFactory()  # another account's ID photos
    with django_capture_on_commit_callbacks(execute=True):
        profile_services.profile_update(user=user, changes={"emergency_contact_phone": "13700000001"})
        profile_services.profile_update(user=user, changes={"occupation": "教师"})
        profile_services.change_request_create(
            user=user, field="name", new_value="陈晶", reason="改名", proofs=[_jpeg(1), _jpeg(2)]
        )
        profile_services.profile_update(
            user=user, changes={"email": "new@example.com", "phone": "13700000002"}, password=PASSWORD
        )
        profile_services.history_create(
            kind="education",
            user=user,
            data={"school": "北京大学", "level": "bachelor", "study_mode": "full_time", "start": "2010-09"},
            evidence=_jpeg(3),
        )
        profile_services.history_create(
            kind="work", user=user, data={"employer": "某公司", "position": "工程师", "start": "2015-01", "current": True},
            evidence=_jpeg(4),
        )  # fmt: skip
        notice_services.ticket_open(
            user=user, category="other", subject="问题", message="请帮忙", attachments=[_jpeg(5)]
        )
    # a file of students whose result (initial passwords, the file's rows) waits for its download
    from creditbank.institutions.tests.factories import make_institution, open_accounts, student, students_file

    make_institution("uni-a", admin=user)
    assert open_accounts(user, "uni-a", students_file([student()])).created == 1
    assert ChangeRequest.objects.filter(user=user, kind="reviewed").count() == 1
    assert ChangeRequest.objects.filter(user=user, kind="locked").count() == 1
    assert set(ContactChange.objects.filter(user=user).values_list("kind", flat=True)) == {"email", "phone"}
    return user


def _every_ciphertext() -> list[tuple[str, str, str]]:
    """(model.field#pk, token, context) of every stored ciphertext, from the registry."""
    found = []
    for col in sealed_columns():
        for row in apps.get_model(col.model)._default_manager.all():
            token = getattr(row, col.field)
            if token:
                found.append((f"{col.model}.{col.field}#{row.pk}", token, col.context_for(row)))
    return found


def _every_file() -> list[tuple[str, str]]:
    found = []
    for declared in vault_files():
        for row in apps.get_model(declared.model)._default_manager.values_list(*declared.fields):
            found += [(name, declared.context) for name in row if name]
    return found


def test_rotate_then_drop_the_old_key_every_value_still_opens(every_kind_of_sealed_data, settings) -> None:  # type: ignore[no-untyped-def]
    user = every_kind_of_sealed_data
    tokens, files = _every_ciphertext(), _every_file()
    # every declared column and vault file holds data in this fixture (or the test proves little)
    assert {t[0].split("#")[0] for t in tokens} == {f"{c.model}.{c.field}" for c in sealed_columns()}
    assert len(files) >= 2 + 2 + 2 + 1 + 1  # ID photos, proofs, history evidence, attachment, a file of students
    plain_before = {name: cipher().decrypt(token, context=ctx) for name, token, ctx in tokens}
    files_before = {name: vault().read(name, context=ctx) for name, ctx in files}

    old_pii, old_index = dict(settings.PII_KEYS), dict(settings.BLIND_INDEX_KEYS)
    settings.PII_KEYS = {"k2": os.urandom(32), **old_pii}
    settings.BLIND_INDEX_KEYS = {"b2": os.urandom(32), **old_index}
    call_command("rotate_pii_keys", batch_size=2, verbosity=0)
    settings.PII_KEYS = {"k2": settings.PII_KEYS["k2"]}
    settings.BLIND_INDEX_KEYS = {"b2": settings.BLIND_INDEX_KEYS["b2"]}

    after = _every_ciphertext()
    assert {name: cipher().decrypt(token, context=ctx) for name, token, ctx in after} == plain_before
    assert all(FieldCipher.key_id_of(token) == "k2" for _name, token, _ctx in after)
    assert {name: vault().read(name, context=ctx) for name, ctx in _every_file()} == files_before
    profile = Profile.objects.get(user=user)
    assert cipher().decrypt(profile.emergency_contact_phone_enc, context=EMERGENCY_PHONE_CONTEXT) == "+8613700000001"
    # blind indexes were rebuilt under the new index key: lookups work without the old one
    assert user_find_by_identifier("11010519491231002X") == user
    assert user_find_by_identifier("13912345671") == user
    # a second run finds nothing left to do
    from creditbank.kernel.rotation import rotate_all

    assert rotate_all().rows == 0
    assert rotate_all().files == 0


def test_without_rotation_dropping_the_old_key_loses_data(every_kind_of_sealed_data, settings) -> None:  # type: ignore[no-untyped-def]
    """The control: the test above is meaningful because skipping the command breaks reads."""
    profile = Profile.objects.get(user=every_kind_of_sealed_data)
    settings.PII_KEYS = {"k2": os.urandom(32)}
    with pytest.raises(CryptoError):
        cipher().decrypt(profile.emergency_contact_phone_enc, context=EMERGENCY_PHONE_CONTEXT)


def test_sealing_under_an_undeclared_context_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UndeclaredContext):
        cipher().encrypt("13800000000", context="somewhere.new.phone")
    with pytest.raises(UndeclaredContext):
        vault().save(b"data", context="somewhere.new.file")
    # a declared text context is not a file context, and the other way round
    with pytest.raises(UndeclaredContext):
        vault().save(b"data", context=next(iter(text_contexts())))


def test_every_encrypted_column_is_declared() -> None:
    declared = {(c.model, c.field) for c in sealed_columns()}
    enc_fields = {
        (model._meta.label, f.name)
        for model in apps.get_models()
        if model.__module__.startswith("creditbank.")
        for f in model._meta.get_fields()
        if f.name.endswith("_enc")
    }
    assert enc_fields, "no *_enc columns found: the scan is broken"
    assert enc_fields == declared


def test_every_vault_name_column_is_declared() -> None:
    declared = {(f.model, name) for f in vault_files() for name in f.fields}
    blob_fields = {
        (model._meta.label, f.name)
        for model in apps.get_models()
        if model.__module__.startswith("creditbank.")
        for f in model._meta.get_fields()
        if f.name == "blob" or f.name.endswith("_blob")
    }
    assert blob_fields
    assert blob_fields == declared


def test_every_model_says_whether_it_holds_personal_data() -> None:
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("creditbank.")
        and not any(mark in (model.__doc__ or "") for mark in ("PII:", "No PII."))
    ]
    assert missing == []
