"""An institution's administrators (and bank staff managing institutions) publish its programmes
(专业) and their courses, which conversion rules target.

A programme is a draft (seen by its administrators only) until published; a published programme
still gets new courses and changes of names, levels and credits (it is not a versioned document),
but its code and its courses' codes never change again, since rules name them. Retiring keeps
every row for the rules and conversions that refer to it; a retired programme no longer changes.
Courses are deactivated, never deleted. Every write is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from creditbank.audit.services import audit_record
from creditbank.institutions.domain import programmes as p
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import Course, Programme, ProgrammeStatus
from creditbank.institutions.selectors import (
    course_get_for_actor,
    institution_get_for_actor,
    programme_get_for_actor,
)
from creditbank.kernel.errors import DomainError
from creditbank.kernel.text import clean_text

MESSAGES: dict[ErrorCode, Any] = {
    ErrorCode.PROGRAMME_CODE_INVALID: _(
        "A programme code has 1 to 64 letters, digits, hyphens, underscores and full stops, starting with a letter "
        "or digit (for example CS-2024)."
    ),
    ErrorCode.COURSE_CODE_INVALID: _(
        "A course code has 1 to 64 letters, digits, hyphens, underscores and full stops, starting with a letter or "
        "digit (for example MATH101)."
    ),
    ErrorCode.PROGRAMME_CREDITS_INVALID: _(
        "Enter the credits required to graduate as a number greater than 0 and at most 1000, with at most two "
        "decimal places (for example 160)."
    ),
    ErrorCode.COURSE_CREDITS_INVALID: _(
        "Enter the course's credits as a number greater than 0 and at most 300, with at most two decimal places "
        "(for example 4.5)."
    ),
    ErrorCode.PROGRAMME_LEVEL_INVALID: _("The level is a whole number from 1 to 10 (the qualification framework)."),
}
#: What a programme's update may change (``code`` only while it is a draft).
PROGRAMME_FIELDS = ("code", "name_zh", "name_en", "level", "total_credits")
#: What a course's update may change (``code`` only while its programme is a draft).
COURSE_FIELDS = ("code", "name_zh", "name_en", "credits", "level", "active")


def _clean(data: Mapping[str, Any], checks: Mapping[str, Callable[[Any], Any]]) -> dict[str, Any]:
    """The fields of ``data`` that ``checks`` names, each checked; every refusal at once."""
    unknown = set(data) - set(checks)
    if unknown:
        raise TypeError(f"fields that cannot change here: {sorted(unknown)}")
    errors: list[DomainError] = []
    values: dict[str, Any] = {}
    for name, value in data.items():
        try:
            values[name] = checks[name](value)
        except p.ProgrammeFieldError as refused:
            errors.append(DomainError(refused.code, MESSAGES[refused.code], field=refused.field))
        except DomainError as refused:
            errors.append(refused)
    if errors:
        raise DomainError.combine(errors)
    return values


def _name_checks() -> dict[str, Callable[[Any], Any]]:
    return {
        "name_zh": lambda v: clean_text(v, field="name_zh", max_length=200, required=True),
        "name_en": lambda v: clean_text(v, field="name_en", max_length=200),
        "level": p.level,
    }


def _programme_checks() -> dict[str, Callable[[Any], Any]]:
    return {"code": p.programme_code, **_name_checks(), "total_credits": p.programme_credits}


def _course_checks() -> dict[str, Callable[[Any], Any]]:
    return {"code": p.course_code, **_name_checks(), "credits": p.course_credits, "active": _active}


def _active(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("active is True or False")
    return value


def _programme_exists() -> DomainError:
    return DomainError(
        ErrorCode.PROGRAMME_EXISTS, _("The institution has a programme with this code already."), field="code",
        status=409,
    )  # fmt: skip


def _course_exists() -> DomainError:
    return DomainError(
        ErrorCode.COURSE_EXISTS, _("The programme has a course with this code already."), field="code", status=409
    )


def _not_retired(programme: Programme) -> None:
    if programme.status == ProgrammeStatus.RETIRED:
        raise DomainError(
            ErrorCode.PROGRAMME_RETIRED, _("This programme is retired: it no longer changes."), status=409
        )


def _code_fixed(message: Any) -> DomainError:
    return DomainError(ErrorCode.PROGRAMME_NOT_DRAFT, message, field="code", status=409)


def _audit(actor: Any, action: str, programme: Programme, reason: str, client_address: str) -> None:
    audit_record(
        actor=actor, action=f"institution.{action}", object_type="programme",
        object_id=f"{programme.institution.code}/{programme.code}", reason=reason, client_address=client_address,
    )  # fmt: skip


def programme_create(
    *,
    actor: Any,
    code: str,
    programme_code: str,
    name_zh: str,
    total_credits: str | Decimal,
    name_en: str = "",
    level: int | str | None = None,
    client_address: str = "",
) -> Programme:
    """A new programme of institution ``code``, as a draft. A code the institution uses already
    is 409 ``programme_exists``; nothing is written on any refusal."""
    institution = institution_get_for_actor(actor=actor, code=code)
    values = _clean(
        {"code": programme_code, "name_zh": name_zh, "name_en": name_en, "level": level,
         "total_credits": total_credits},
        _programme_checks(),
    )  # fmt: skip
    if Programme.objects.filter(institution=institution, code=values["code"]).exists():
        raise _programme_exists()
    try:
        with transaction.atomic():
            programme = Programme.objects.create(institution=institution, **values)
            _audit(actor, "programme_created", programme, "", client_address)
    except IntegrityError as exc:  # a concurrent creation took the code
        raise _programme_exists() from exc
    return programme


def programme_update(
    *, actor: Any, code: str, programme_code: str, changes: Mapping[str, Any], client_address: str = ""
) -> Programme:
    """Change the fields ``changes`` names (of :data:`PROGRAMME_FIELDS`): names, level and
    credits in any status but retired; the code only while the programme is a draft (409
    ``programme_not_draft``)."""
    with transaction.atomic():
        programme = programme_get_for_actor(actor=actor, code=code, programme_code=programme_code, for_update=True)
        _not_retired(programme)
        values = _clean(changes, _programme_checks())
        if "code" in values and values["code"] != programme.code:
            if programme.status != ProgrammeStatus.DRAFT:
                raise _code_fixed(_("A published programme's code never changes: conversion rules use it."))
            if Programme.objects.filter(institution=programme.institution, code=values["code"]).exists():
                raise _programme_exists()
        for name, value in values.items():
            setattr(programme, name, value)
        try:
            with transaction.atomic():
                programme.save()
        except IntegrityError as exc:
            raise _programme_exists() from exc
        _audit(actor, "programme_updated", programme, ",".join(sorted(values)), client_address)
    return programme


def programme_publish(*, actor: Any, code: str, programme_code: str, client_address: str = "") -> Programme:
    """Publish a draft: anyone sees it from now on, and its code and its courses' codes are
    fixed. Only a draft is published (409 ``programme_not_draft``)."""
    with transaction.atomic():
        programme = programme_get_for_actor(actor=actor, code=code, programme_code=programme_code, for_update=True)
        if programme.status != ProgrammeStatus.DRAFT:
            raise DomainError(ErrorCode.PROGRAMME_NOT_DRAFT, _("Only a draft programme is published."), status=409)
        programme.status = ProgrammeStatus.PUBLISHED
        programme.save(update_fields=["status", "updated_at"])
        _audit(actor, "programme_published", programme, "", client_address)
    return programme


def programme_retire(*, actor: Any, code: str, programme_code: str, client_address: str = "") -> Programme:
    """Retire a programme (a draft or a published one): it is no longer listed or changed, and
    its rows stay for the rules and conversions that refer to it. Retired twice: 409
    ``programme_retired``."""
    with transaction.atomic():
        programme = programme_get_for_actor(actor=actor, code=code, programme_code=programme_code, for_update=True)
        _not_retired(programme)
        programme.status = ProgrammeStatus.RETIRED
        programme.save(update_fields=["status", "updated_at"])
        _audit(actor, "programme_retired", programme, "", client_address)
    return programme


def course_create(
    *,
    actor: Any,
    code: str,
    programme_code: str,
    course_code: str,
    name_zh: str,
    credits: str | Decimal,
    name_en: str = "",
    level: int | str | None = None,
    client_address: str = "",
) -> Course:
    """A new course of a draft or published programme (409 ``programme_retired`` otherwise); a
    code the programme uses already is 409 ``course_exists``."""
    with transaction.atomic():
        programme = programme_get_for_actor(actor=actor, code=code, programme_code=programme_code, for_update=True)
        _not_retired(programme)
        values = _clean(
            {"code": course_code, "name_zh": name_zh, "name_en": name_en, "credits": credits, "level": level},
            _course_checks(),
        )
        if Course.objects.filter(programme=programme, code=values["code"]).exists():
            raise _course_exists()
        try:
            with transaction.atomic():
                course = Course.objects.create(programme=programme, **values)
        except IntegrityError as exc:
            raise _course_exists() from exc
        _audit(actor, "course_created", programme, course.code, client_address)
    return course


def course_update(
    *,
    actor: Any,
    code: str,
    programme_code: str,
    course_code: str,
    changes: Mapping[str, Any],
    client_address: str = "",
) -> Course:
    """Change the fields ``changes`` names (of :data:`COURSE_FIELDS`; ``active`` deactivates or
    offers the course again); the code only while the programme is a draft."""
    with transaction.atomic():
        programme = programme_get_for_actor(actor=actor, code=code, programme_code=programme_code, for_update=True)
        course = course_get_for_actor(
            actor=actor, code=code, programme_code=programme_code, course_code=course_code, for_update=True
        )
        _not_retired(programme)
        values = _clean(changes, _course_checks())
        if "code" in values and values["code"] != course.code:
            if programme.status != ProgrammeStatus.DRAFT:
                raise _code_fixed(_("The courses of a published programme keep their codes: rules use them."))
            if Course.objects.filter(programme=programme, code=values["code"]).exists():
                raise _course_exists()
        for name, value in values.items():
            setattr(course, name, value)
        try:
            with transaction.atomic():
                course.save()
        except IntegrityError as exc:
            raise _course_exists() from exc
        _audit(actor, "course_updated", programme, f"{course.code}:{','.join(sorted(values))}", client_address)
    return course


def course_deactivate(
    *, actor: Any, code: str, programme_code: str, course_code: str, client_address: str = ""
) -> Course:
    """The course is no longer offered (kept for the rules that name it); deactivating an
    inactive course again is no error."""
    return course_update(
        actor=actor, code=code, programme_code=programme_code, course_code=course_code, changes={"active": False},
        client_address=client_address,
    )  # fmt: skip
