"""A learner's own outcomes: self-reporting one with its evidence, correcting it, adding evidence.

An outcome can be edited while it is a draft or was not certified; while an application is
open, and once it is certified or revoked, nothing about it changes (``outcome_locked``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.selectors import user_require_verified
from creditbank.accounts.services import uploads_allow
from creditbank.institutions.selectors import institution_find_active
from creditbank.kernel.documents import CleanDocument, clean_upload
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.vault import vault
from creditbank.outcomes.errors import ErrorCode
from creditbank.outcomes.models import Outcome, OutcomeEvidence, OutcomeSource, OutcomeStatus
from creditbank.outcomes.personal_data import EVIDENCE_CONTEXT
from creditbank.outcomes.selectors import outcome_get_for_actor
from creditbank.outcomes.services.fields import outcome_clean

MAX_EVIDENCE = 5
MAX_EVIDENCE_BYTES = 8 * 1024 * 1024
EDITABLE = (OutcomeStatus.DRAFT, OutcomeStatus.REJECTED)


def _issuer_columns(issuer: str) -> dict[str, Any]:
    """A member institution's code names it; anything else is the issuer's declared name."""
    institution = institution_find_active(issuer)
    if institution is not None:
        return {"issuer_institution": institution, "issuer_name": ""}
    return {"issuer_institution": None, "issuer_name": issuer}


def _clean_files(user: Any, files: list[Any], *, already: int = 0) -> list[CleanDocument]:
    if already + len(files) > MAX_EVIDENCE:
        raise DomainError(
            KernelCode.TOO_MANY_FILES, _("An outcome has at most 5 evidence files."), field="evidence",
            extra={"max_files": MAX_EVIDENCE},
        )  # fmt: skip
    if not files:
        return []
    uploads_allow(user=user, files=len(files))  # before any file is read or decoded
    return [clean_upload(upload, field="evidence", max_bytes=MAX_EVIDENCE_BYTES) for upload in files]


def _store(outcome: Outcome, cleaned: list[CleanDocument], names: list[str]) -> None:
    for name, doc in zip(names, cleaned, strict=True):
        OutcomeEvidence.objects.create(
            outcome=outcome, blob=name, content_type=doc.content_type, size=len(doc.data), sha256=doc.sha256,
            filename=doc.name,
        )  # fmt: skip


def outcome_self_report(*, user: Any, data: Mapping[str, Any], evidence: list[Any] | None = None) -> Outcome:
    """Record an outcome the learner reports (a draft, not yet certified), with 0–5 evidence
    files (PDF or image). Every field error at once; nothing is stored on refusal."""
    user_require_verified(user)
    clean = outcome_clean(data, today=timezone.localdate())
    cleaned = _clean_files(user, list(evidence or []))
    store = vault()
    names = [store.save(doc.data, context=EVIDENCE_CONTEXT) for doc in cleaned]
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(
                user=user,
                source=OutcomeSource.SELF_REPORTED,
                status=OutcomeStatus.DRAFT,
                **clean.columns(),
                **_issuer_columns(clean.issuer),
            )
            _store(outcome, cleaned, names)
    except BaseException:
        for name in names:
            store.delete(name)
        raise
    return outcome


def _locked(outcome: Outcome) -> None:
    if outcome.source != OutcomeSource.SELF_REPORTED or outcome.status not in EDITABLE:
        raise DomainError(
            ErrorCode.OUTCOME_LOCKED,
            _("This outcome cannot be changed now: it is waiting for certification, certified or revoked."),
            status=409,
            extra={"status": outcome.status},
        )


def outcome_update(*, user: Any, outcome_id: int, data: Mapping[str, Any]) -> Outcome:
    """Correct a draft or not-certified self-reported outcome (every field given again)."""
    user_require_verified(user)
    with transaction.atomic():
        outcome = outcome_get_for_actor(actor=user, id=outcome_id, for_update=True)
        _locked(outcome)
        clean = outcome_clean(data, today=timezone.localdate())
        for name, value in {**clean.columns(), **_issuer_columns(clean.issuer)}.items():
            setattr(outcome, name, value)
        outcome.save()
    return outcome


def outcome_evidence_add(*, user: Any, outcome_id: int, evidence: list[Any]) -> Outcome:
    """Add evidence files to an editable outcome (at most 5 in all)."""
    user_require_verified(user)
    if not evidence:
        raise DomainError(KernelCode.UPLOAD_MISSING, _("Choose at least one file."), field="evidence")
    outcome = outcome_get_for_actor(actor=user, id=outcome_id)
    _locked(outcome)
    cleaned = _clean_files(user, list(evidence), already=outcome.evidence.count())
    store = vault()
    names = [store.save(doc.data, context=EVIDENCE_CONTEXT) for doc in cleaned]
    try:
        with transaction.atomic():
            outcome = outcome_get_for_actor(actor=user, id=outcome_id, for_update=True)
            _locked(outcome)
            if outcome.evidence.count() + len(cleaned) > MAX_EVIDENCE:
                raise DomainError(
                    KernelCode.TOO_MANY_FILES, _("An outcome has at most 5 evidence files."), field="evidence"
                )
            _store(outcome, cleaned, names)
    except BaseException:
        for name in names:
            store.delete(name)
        raise
    return outcome


def outcome_evidence_remove(*, user: Any, outcome_id: int, evidence_id: int) -> Outcome:
    """Remove one evidence file of an editable outcome (the file is deleted at once)."""
    with transaction.atomic():
        outcome = outcome_get_for_actor(actor=user, id=outcome_id, for_update=True)
        _locked(outcome)
        found = outcome.evidence.filter(pk=evidence_id).first()
        if found is None:
            from creditbank.kernel.errors import NotFound

            raise NotFound(_("No such file."))
        blob = found.blob
        found.delete()
        transaction.on_commit(lambda: vault().delete(blob))
    return outcome
