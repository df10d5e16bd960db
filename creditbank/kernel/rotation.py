"""Key rotation over the personal-data registry: every sealed column and every vault file.

Rows are re-encrypted under the active PII key (and their blind indexes rebuilt under the active
index key) in small batches, each batch in its own transaction with its rows locked, so the
service stays online; files are resealed one by one (write to a temporary file, then rename).
Running it again changes nothing that is already current.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from creditbank.kernel.personal_data import SealedColumn, sealed_columns, vault_files
from creditbank.kernel.pii import cipher, indexer
from creditbank.kernel.vault import vault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RotationReport:
    rows: int
    files: int


def _reseal_model(label: str, columns: list[SealedColumn], batch_size: int) -> int:
    model = apps.get_model(label)
    c, ix = cipher(), indexer()
    changed = 0
    last_pk = None
    while True:
        with transaction.atomic():
            qs = model._default_manager.select_for_update().order_by("pk")
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            batch = list(qs[:batch_size])
            if not batch:
                return changed
            for row in batch:
                last_pk = row.pk
                fields: list[str] = []
                for col in columns:
                    token = getattr(row, col.field)
                    if not token:
                        continue
                    context = col.context_for(row)
                    plaintext = c.decrypt(token, context=context)
                    if c.key_id_of(token) != c.keyring.active:
                        setattr(row, col.field, c.encrypt(plaintext, context=context))
                        fields.append(col.field)
                    if col.index_field:
                        index = ix.index(plaintext, context=context)
                        if getattr(row, col.index_field) != index:
                            setattr(row, col.index_field, index)
                            fields.append(col.index_field)
                if fields:
                    row.save(update_fields=fields)
                    changed += 1


def reseal_columns(*, batch_size: int = 200) -> int:
    """Re-encrypt every declared column under the active keys; the number of rows changed."""
    by_model: dict[str, list[SealedColumn]] = defaultdict(list)
    for col in sealed_columns():
        by_model[col.model].append(col)
    total = 0
    for label, columns in sorted(by_model.items()):
        n = _reseal_model(label, columns, batch_size)
        log.info("key rotation: %s rows re-encrypted in %s", n, label)
        total += n
    return total


def reseal_files(*, batch_size: int = 200) -> int:
    """Re-encrypt every declared vault file under the active key; the number of files changed."""
    store = vault()
    total = 0
    for declared in vault_files():
        model = apps.get_model(declared.model)
        names = model._default_manager.values_list(*declared.fields).iterator(chunk_size=batch_size)
        n = 0
        for row in names:
            for name in row:
                if name and store.exists(name) and store.reseal(name, context=declared.context):
                    n += 1
        log.info("key rotation: %s files resealed for %s", n, declared.model)
        total += n
    return total


def rotate_all(*, batch_size: int = 200) -> RotationReport:
    return RotationReport(rows=reseal_columns(batch_size=batch_size), files=reseal_files(batch_size=batch_size))
