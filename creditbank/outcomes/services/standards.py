"""Certification standards: drafted, published (then never changed), revised as new versions,
retired. Bank staff edit the bank's and every institution's; an institution's administrators
edit their institution's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.institutions.selectors import institution_find_active
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.text import clean_text
from creditbank.outcomes.domain import fields as f
from creditbank.outcomes.domain.standards import StandardRecord
from creditbank.outcomes.errors import ErrorCode
from creditbank.outcomes.models import CertificationStandard, StandardStatus
from creditbank.outcomes.selectors import NO_STANDARD, may_edit_standards, standard_get_for_editor
from creditbank.outcomes.services.fields import field_error

EDITABLE_FIELDS = (
    "title_zh", "title_en", "credits", "level", "evidence_zh", "evidence_en", "validity_months", "valid_from",
)  # fmt: skip


def _clean(data: Mapping[str, Any], *, with_key: bool) -> dict[str, Any]:
    errors: list[DomainError] = []
    values: dict[str, Any] = {}

    def check(name: str, fn: Any) -> None:
        try:
            values[name] = fn()
        except f.FieldError as refused:
            errors.append(field_error(refused))
        except DomainError as refused:
            errors.append(refused)

    if with_key:
        check("outcome_type", lambda: f.outcome_type(data.get("outcome_type"), field="outcome_type").value)
        check("code", lambda: f.code(data.get("code")) or _required("code"))
    check("title_zh", lambda: clean_text(data.get("title_zh"), field="title_zh", max_length=200, required=True))
    check("title_en", lambda: clean_text(data.get("title_en"), field="title_en", max_length=200))
    check("credits", lambda: f.credits(data.get("credits")))
    check("level", lambda: f.level(data.get("level")))
    for name in ("evidence_zh", "evidence_en"):
        check(name, lambda name=name: clean_text(data.get(name), field=name, max_length=1000, multiline=True))
    check("validity_months", lambda: _months(data.get("validity_months")))
    check("valid_from", lambda: f.day(data.get("valid_from"), field="valid_from"))
    if errors:
        raise DomainError.combine(errors)
    return values


def _required(field: str) -> str:
    from creditbank.kernel.errors import ErrorCode as KernelCode

    raise DomainError(KernelCode.REQUIRED, _("This field is required."), field=field)


def _months(value: object) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 600:
        raise f.FieldError(ErrorCode.LEVEL_INVALID, "validity_months", "whole months 1–600")
    return value


def series_key(owner: Any, outcome_type: str, code: str) -> str:
    return f"{owner.code if owner is not None else 'bank'}:{outcome_type}:{code.upper()}"


def standard_create(*, actor: Any, owner: str = "", data: Mapping[str, Any]) -> CertificationStandard:
    """A new standard's first version, as a draft. ``owner``: an institution's code, or empty
    for the bank's own. A standard already existing for (owner, type, code) is revised instead."""
    institution = institution_find_active(owner) if owner else None
    if (owner and institution is None) or not may_edit_standards(actor, owner=institution):
        raise NotFound(_("No such institution."))
    values = _clean(data, with_key=True)
    series = series_key(institution, values["outcome_type"], values["code"])
    if CertificationStandard.objects.filter(series=series).exists():
        raise DomainError(
            ErrorCode.STANDARD_NOT_DRAFT,
            _("A standard for this type and code exists already: revise it to make a new version."),
            field="code", status=409,
        )  # fmt: skip
    try:
        with transaction.atomic():
            return CertificationStandard.objects.create(
                series=series, version=1, owner=institution, created_by=actor, **values
            )
    except IntegrityError as exc:
        raise DomainError(
            ErrorCode.STANDARD_NOT_DRAFT, _("A draft of this standard exists already."), status=409
        ) from exc


def _draft(standard: CertificationStandard) -> None:
    if standard.status != StandardStatus.DRAFT:
        raise DomainError(
            ErrorCode.STANDARD_NOT_DRAFT, _("A published version never changes: revise it to make a new version."),
            status=409,
        )  # fmt: skip


def standard_update(*, actor: Any, standard_id: int, data: Mapping[str, Any]) -> CertificationStandard:
    with transaction.atomic():
        standard = standard_get_for_editor(actor=actor, id=standard_id, for_update=True)
        _draft(standard)
        for name, value in _clean(data, with_key=False).items():
            setattr(standard, name, value)
        standard.save()
    return standard


def standard_record(standard: CertificationStandard) -> StandardRecord:
    return StandardRecord(
        owner=standard.owner.code if standard.owner is not None else "bank",
        outcome_type=standard.outcome_type,
        code=standard.code,
        version=standard.version,
        title_zh=standard.title_zh,
        title_en=standard.title_en,
        credits=standard.credits,
        level=standard.level,
        evidence_zh=standard.evidence_zh,
        evidence_en=standard.evidence_en,
        validity_months=standard.validity_months,
        valid_from=standard.valid_from,
    )


def standard_publish(*, actor: Any, standard_id: int) -> CertificationStandard:
    """Publish a draft: its canonical form's SHA-256 is fixed; it supersedes the previous
    version from its ``valid_from``, which must come after the previous version's."""
    with transaction.atomic():
        standard = standard_get_for_editor(actor=actor, id=standard_id, for_update=True)
        _draft(standard)
        previous = (
            CertificationStandard.objects.filter(series=standard.series, status=StandardStatus.PUBLISHED)
            .exclude(pk=standard.pk)
            .aggregate(latest=Max("valid_from"))["latest"]
        )
        if previous is not None and standard.valid_from <= previous:
            raise DomainError(
                ErrorCode.STANDARD_VERSION_DATE,
                _("A new version takes effect after the version it supersedes (from %(date)s).")
                % {"date": previous.isoformat()},
                field="valid_from", extra={"after": previous.isoformat()},
            )  # fmt: skip
        standard.status = StandardStatus.PUBLISHED
        standard.hash = standard_record(standard).sha256()
        standard.published_at = timezone.now()
        standard.save(update_fields=["status", "hash", "published_at"])
    return standard


def standard_revise(*, actor: Any, standard_id: int, valid_from: date | None = None) -> CertificationStandard:
    """A new draft version of a published standard, copying it (to edit, then publish)."""
    with transaction.atomic():
        standard = standard_get_for_editor(actor=actor, id=standard_id, for_update=True)
        if standard.status != StandardStatus.PUBLISHED:
            raise DomainError(
                ErrorCode.STANDARD_NOT_PUBLISHED, _("Only a published version can be revised."), status=409
            )
        if CertificationStandard.objects.filter(series=standard.series, status=StandardStatus.DRAFT).exists():
            raise DomainError(ErrorCode.STANDARD_NOT_DRAFT, _("A draft of this standard exists already."), status=409)
        latest = CertificationStandard.objects.filter(series=standard.series).aggregate(v=Max("version"))["v"]
        copy = {name: getattr(standard, name) for name in (*EDITABLE_FIELDS, "outcome_type", "code", "series")}
        copy["valid_from"] = valid_from or max(timezone.localdate(), standard.valid_from)
        return CertificationStandard.objects.create(owner=standard.owner, version=latest + 1, created_by=actor, **copy)


def standard_retire(*, actor: Any, standard_id: int) -> CertificationStandard:
    """Retire a standard: none of its versions certifies anything from now on (kept for the
    record and for the outcomes certified under it)."""
    with transaction.atomic():
        standard = standard_get_for_editor(actor=actor, id=standard_id, for_update=True)
        if standard.status != StandardStatus.PUBLISHED:
            raise DomainError(
                ErrorCode.STANDARD_NOT_PUBLISHED, _("Only a published version can be retired."), status=409
            )
        CertificationStandard.objects.filter(series=standard.series, status=StandardStatus.PUBLISHED).update(
            status=StandardStatus.RETIRED
        )
        standard.refresh_from_db()
    return standard


__all__ = [
    "NO_STANDARD", "series_key", "standard_create", "standard_publish", "standard_record", "standard_retire",
    "standard_revise", "standard_update",
]  # fmt: skip
