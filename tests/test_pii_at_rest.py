"""PII encrypted at rest, key rotation online, masked in logs."""

from __future__ import annotations

import base64
import logging
import os

from django.core.management import call_command
from django.db import connection

from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.accounts.services import user_reveal_pii
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.personal_data import PHOTO_CONTEXT
from creditbank.kernel.crypto import FieldCipher
from creditbank.kernel.vault import vault


def new_key(kid: str) -> dict[str, bytes]:
    return {kid: os.urandom(32)}


def test_no_plaintext_in_the_database(make_learner) -> None:  # type: ignore[no-untyped-def]
    make_learner(id_number="11010519491231002X", phone="13912345670")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user")
        rows = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert "11010519491231002X" not in rows
    assert "13912345670" not in rows
    assert "110105********002X" in rows  # the masked form is stored for display


def test_rotation_reencrypts_and_lookups_keep_working(
    make_learner, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from conftest import back_upload, front_upload
    from creditbank.identity import services as identity_services

    user = make_learner(id_number="11010519491231002X", phone="13912345671")
    identity_services.verification_submit(
        user=user, consent=True, id_front=front_upload(user), id_back=back_upload(user)
    )
    attempt = VerificationAttempt.objects.get(user=user)
    old_index = user.id_number_index
    old_pii, old_bi = dict(settings.PII_KEYS), dict(settings.BLIND_INDEX_KEYS)
    # new keys first; old keys still present to open existing data
    settings.PII_KEYS = {**new_key("k2"), **old_pii}
    settings.BLIND_INDEX_KEYS = {**new_key("b2"), **old_bi}
    # before the command runs, every lookup still works (all index keys are tried)
    assert user_find_by_identifier("11010519491231002X") == user
    call_command("rotate_pii_keys", verbosity=0)
    user.refresh_from_db()
    assert FieldCipher.key_id_of(user.id_number_enc) == "k2"
    assert FieldCipher.key_id_of(user.phone_enc) == "k2"
    assert user.id_number_index != old_index
    blob = (vault().root / attempt.front_blob[:2] / attempt.front_blob).read_bytes()
    assert FieldCipher.blob_key_id(blob) == "k2"
    # the old keys can now go
    settings.PII_KEYS = {"k2": settings.PII_KEYS["k2"]}
    settings.BLIND_INDEX_KEYS = {"b2": settings.BLIND_INDEX_KEYS["b2"]}
    assert user_reveal_pii(user=user) == {"id_number": "11010519491231002X", "phone": "+8613912345671"}
    assert user_find_by_identifier("13912345671") == user
    assert vault().read(attempt.front_blob, context=PHOTO_CONTEXT)[:2] == b"\xff\xd8"


def test_logs_never_carry_id_or_phone(make_learner, caplog) -> None:  # type: ignore[no-untyped-def]
    from creditbank.kernel.masking import MaskPiiFilter

    handler_filter = MaskPiiFilter()
    logger = logging.getLogger("creditbank.test")
    with caplog.at_level(logging.INFO):
        caplog.handler.addFilter(handler_filter)
        make_learner(id_number="11010519491231002X", phone="13912345672")
        logger.info("lookup %s %s", "11010519491231002X", "13912345672")
    text = caplog.text
    assert "11010519491231002X" not in text
    assert "13912345672" not in text
    assert "110105********002X" in text


def test_key_material_is_not_in_the_database(make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    make_learner()
    keys = [base64.b64encode(k).decode() for k in [*settings.PII_KEYS.values(), *settings.BLIND_INDEX_KEYS.values()]]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            dump = " ".join(str(v) for row in cursor.fetchall() for v in row)
            assert not any(k in dump for k in keys), table
