"""Education and work history: learner-declared entries, owner-only, verified accounts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.selectors import user_require_verified
from creditbank.accounts.services import uploads_allow
from creditbank.kernel.documents import clean_upload
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.text import clean_text
from creditbank.kernel.vault import vault
from creditbank.profiles.domain.months import MonthError, check_period, parse_month
from creditbank.profiles.errors import ErrorCode
from creditbank.profiles.models import EducationEntry, EducationLevel, StudyMode, WorkEntry
from creditbank.profiles.personal_data import EVIDENCE_CONTEXT
from creditbank.profiles.selectors import history_entry_get_for_actor

MAX_ENTRIES = 50
MONTH_MESSAGES: dict[str, Any] = {
    ErrorCode.MONTH_INVALID: _("Use the form YYYY-MM, for example 2019-09."),
    ErrorCode.START_IN_FUTURE: _("The start cannot be in the future."),
    ErrorCode.END_BEFORE_START: _("The end cannot be before the start."),
    ErrorCode.END_IN_FUTURE: _("The end cannot be in the future; leave it empty while ongoing."),
    ErrorCode.END_WITH_ONGOING: _("An ongoing entry has no end month."),
    ErrorCode.END_REQUIRED: _("Enter the end month, or mark the entry as current."),
}

EDUCATION_FIELDS = ("school", "major", "level", "study_mode", "start", "end", "certificate_no")
WORK_FIELDS = ("employer", "position", "industry", "start", "end", "current", "description")


def _month(raw: Any, field: str, *, optional: bool = False) -> date | None:
    if optional and (raw is None or raw == ""):
        return None
    try:
        return parse_month(str(raw or ""))
    except MonthError as exc:
        raise DomainError(exc.code, MONTH_MESSAGES[exc.code], field=field) from exc


def _period(start: date, end: date | None, ongoing: bool) -> None:
    try:
        check_period(start=start, end=end, ongoing=ongoing, today=timezone.localdate())
    except MonthError as exc:
        field = "start" if exc.code == ErrorCode.START_IN_FUTURE else "end"
        raise DomainError(exc.code, MONTH_MESSAGES[exc.code], field=field) from exc


def _choice(value: Any, field: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise DomainError(
            KernelCode.CHOICE_INVALID, _("Choose one of the listed values."), field=field, extra={"allowed": allowed}
        )
    return str(value)


def _collect(fns: list[Any]) -> None:
    errors: list[DomainError] = []
    for fn in fns:
        try:
            fn()
        except DomainError as exc:
            errors.append(exc)
    if errors:
        raise DomainError.combine(errors)


def _clean_education(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def put(field: str, fn: Any) -> Any:
        return lambda: out.__setitem__(field, fn())

    _collect(
        [
            put("school", lambda: clean_text(data.get("school"), field="school", max_length=100, required=True)),
            put("major", lambda: clean_text(data.get("major"), field="major", max_length=100)),
            put("level", lambda: _choice(data.get("level"), "level", EducationLevel.values)),
            put("study_mode", lambda: _choice(data.get("study_mode"), "study_mode", StudyMode.values)),
            put("start", lambda: _month(data.get("start"), "start")),
            put("end", lambda: _month(data.get("end"), "end", optional=True)),
            put(
                "certificate_no", lambda: clean_text(data.get("certificate_no"), field="certificate_no", max_length=64)
            ),
        ]
    )
    _period(out["start"], out["end"], ongoing=out["end"] is None)
    return out


def _clean_work(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def put(field: str, fn: Any) -> Any:
        return lambda: out.__setitem__(field, fn())

    def current() -> bool:
        value = data.get("current", False)
        if not isinstance(value, bool):
            raise DomainError(KernelCode.BOOLEAN_REQUIRED, _("Use true or false."), field="current")
        return value

    _collect(
        [
            put("employer", lambda: clean_text(data.get("employer"), field="employer", max_length=100, required=True)),
            put("position", lambda: clean_text(data.get("position"), field="position", max_length=100, required=True)),
            put("industry", lambda: clean_text(data.get("industry"), field="industry", max_length=100)),
            put("start", lambda: _month(data.get("start"), "start")),
            put("end", lambda: _month(data.get("end"), "end", optional=True)),
            put("current", current),
            put(
                "description",
                lambda: clean_text(data.get("description"), field="description", max_length=2000, multiline=True),
            ),
        ]
    )
    _period(out["start"], out["end"], ongoing=out["current"])
    return out


MODELS: dict[str, Any] = {"education": (EducationEntry, _clean_education), "work": (WorkEntry, _clean_work)}


def _clean_evidence(user: User, upload: Any) -> Any:
    uploads_allow(user=user, files=1)  # before the file is read or decoded
    return clean_upload(upload, field="evidence")


def history_create(*, kind: str, user: User, data: dict[str, Any], evidence: Any = None) -> Any:
    """Create an entry (and attach its evidence file) — all or nothing."""
    user_require_verified(user)
    model, clean = MODELS[kind]
    values = clean(data)
    doc = _clean_evidence(user, evidence) if evidence is not None else None
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if model.objects.filter(user=user).count() >= MAX_ENTRIES:
            raise DomainError(ErrorCode.TOO_MANY_ENTRIES, _("At most 50 entries. Delete one first."), status=409)
        if doc is not None:
            values["evidence_blob"] = vault().save(doc.data, context=EVIDENCE_CONTEXT)
            values["evidence_content_type"] = doc.content_type
            blob = values["evidence_blob"]
            try:
                return model.objects.create(user=user, **values)
            except BaseException:
                vault().delete(blob)
                raise
        return model.objects.create(user=user, **values)


def history_update(*, kind: str, user: User, entry_id: int, data: dict[str, Any], evidence: Any = None) -> Any:
    """Partial update: the merged entry is validated as a whole (with a new evidence file, if any)."""
    user_require_verified(user)
    _model, clean = MODELS[kind]
    doc = _clean_evidence(user, evidence) if evidence is not None else None  # refused before anything is written
    with transaction.atomic():
        entry = history_entry_get_for_actor(actor=user, kind=kind, id=entry_id, for_update=True)
        fields = EDUCATION_FIELDS if kind == "education" else WORK_FIELDS
        current = {f: getattr(entry, f) for f in fields}
        for f in ("start", "end"):
            current[f] = f"{current[f]:%Y-%m}" if current[f] else None
        unknown = set(data) - set(fields)
        if unknown:
            raise DomainError(KernelCode.UNKNOWN_FIELD, _("This field does not exist."), field=sorted(unknown)[0])
        values = clean({**current, **data})
        for key, value in values.items():
            setattr(entry, key, value)
        entry.save()
    if doc is not None:
        return _attach(kind, user, entry_id, doc)
    return entry


def history_delete(*, kind: str, user: User, entry_id: int) -> None:
    user_require_verified(user)
    with transaction.atomic():
        entry = history_entry_get_for_actor(actor=user, kind=kind, id=entry_id, for_update=True)
        blob = entry.evidence_blob
        entry.delete()
    if blob:
        vault().delete(blob)


def history_attach_evidence(*, kind: str, user: User, entry_id: int, upload: Any) -> Any:
    user_require_verified(user)
    if upload is None:
        raise DomainError(KernelCode.UPLOAD_MISSING, _("Choose a file."), field="evidence")
    return _attach(kind, user, entry_id, _clean_evidence(user, upload))


def _attach(kind: str, user: User, entry_id: int, doc: Any) -> Any:
    name = vault().save(doc.data, context=EVIDENCE_CONTEXT)
    with transaction.atomic():
        try:
            entry = history_entry_get_for_actor(actor=user, kind=kind, id=entry_id, for_update=True)
        except NotFound:
            vault().delete(name)
            raise
        old = entry.evidence_blob
        entry.evidence_blob = name
        entry.evidence_content_type = doc.content_type
        entry.save(update_fields=["evidence_blob", "evidence_content_type", "updated_at"])
    if old:
        vault().delete(old)
    return entry


def history_evidence(*, kind: str, user: User, entry_id: int) -> tuple[bytes, str]:
    entry = history_entry_get_for_actor(actor=user, kind=kind, id=entry_id)
    if not entry.evidence_blob:
        raise NotFound(_("No file attached."))
    return vault().read(entry.evidence_blob, context=EVIDENCE_CONTEXT), entry.evidence_content_type
