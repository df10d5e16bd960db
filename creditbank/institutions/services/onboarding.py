"""Bank staff onboard an institution: its registration details and its first administrator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.id_numbers import region_name
from creditbank.accounts.models import User
from creditbank.accounts.roles import Role, require_role
from creditbank.audit.services import audit_record
from creditbank.institutions.domain.codes import InstitutionCodeError, parse_institution_code
from creditbank.institutions.domain.uscc import UsccError, parse_uscc
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import Institution, InstitutionKind, MemberRole, Membership
from creditbank.institutions.services.members import member_account
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.text import clean_text

_USCC_MESSAGES: dict[str, Any] = {
    ErrorCode.USCC_REQUIRED: _("Enter the 18-character unified social credit code."),
    ErrorCode.USCC_LENGTH: _("A unified social credit code has 18 characters."),
    ErrorCode.USCC_CHARACTERS: _(
        "A unified social credit code uses digits and capital letters other than I, O, Z, S and V."
    ),
    ErrorCode.USCC_AUTHORITY: _("The first character is not a known registration authority."),
    ErrorCode.USCC_CATEGORY: _("The second character is not an organisation category of that authority."),
    ErrorCode.USCC_DIVISION: _("Characters 3 to 8 must be a six-digit administrative division code."),
    ErrorCode.USCC_ORGANISATION_CHECK: _(
        "Characters 9 to 17 are not a valid organisation code (its check character does not match)."
    ),
    ErrorCode.USCC_CHECK: _(
        "The last character does not match the others (check character). One of the characters is "
        "probably mistyped: compare it with the business licence or registration certificate."
    ),
}
_CODE_MESSAGES: dict[str, Any] = {
    ErrorCode.INSTITUTION_CODE_REQUIRED: _("Enter the institution's code."),
    ErrorCode.INSTITUTION_CODE_LENGTH: _("An institution code has 2 to 32 characters."),
    ErrorCode.INSTITUTION_CODE_FORMAT: _(
        "An institution code uses lower-case letters, digits and single hyphens, and starts and ends "
        "with a letter or digit (for example sh-open-univ)."
    ),
}


@dataclass(frozen=True)
class InstitutionFields:
    code: str
    name_zh: str
    name_en: str
    kind: str
    region: str
    uscc: str | None


def uscc_clean(raw: str, *, field: str = "uscc") -> str:
    try:
        return parse_uscc(raw).value
    except UsccError as exc:
        raise DomainError(exc.code, _USCC_MESSAGES[exc.code], field=field) from exc


def institution_clean(
    *, code: str, name_zh: str, name_en: str = "", kind: str, region: str, uscc: str | None = None
) -> InstitutionFields:
    """Every field checked, every refusal at once (``DomainError.combine``); the admin site's
    form and the API share it."""
    errors: list[DomainError] = []
    values: dict[str, Any] = {}

    def attempt(name: str, fn: Any) -> None:
        try:
            values[name] = fn()
        except DomainError as exc:
            errors.append(exc)

    def clean_code() -> str:
        try:
            return parse_institution_code(code)
        except InstitutionCodeError as exc:
            raise DomainError(exc.code, _CODE_MESSAGES[exc.code], field="code") from exc

    def clean_kind() -> str:
        if kind not in InstitutionKind.values:
            raise DomainError(
                KernelCode.CHOICE_INVALID, _("Choose a kind of institution."), field="kind",
                extra={"allowed": InstitutionKind.values},
            )  # fmt: skip
        return kind

    def clean_region() -> str:
        if region_name(region) is None:
            raise DomainError(
                ErrorCode.INSTITUTION_REGION,
                _("Enter the six-digit administrative division code (GB/T 2260) of the institution's region."),
                field="region",
            )
        return region

    attempt("code", clean_code)
    attempt("name_zh", lambda: clean_text(name_zh, field="name_zh", max_length=200, required=True))
    attempt("name_en", lambda: clean_text(name_en, field="name_en", max_length=200, required=False))
    attempt("kind", clean_kind)
    attempt("region", clean_region)
    attempt("uscc", lambda: uscc_clean(uscc) if uscc else None)
    if errors:
        raise DomainError.combine(errors)
    return InstitutionFields(**values)


def _taken(fields: InstitutionFields, *, exclude: int | None = None) -> list[DomainError]:
    others = Institution.objects.exclude(pk=exclude) if exclude else Institution.objects.all()
    errors = []
    if others.filter(code=fields.code).exists():
        errors.append(
            DomainError(
                ErrorCode.INSTITUTION_CODE_TAKEN, _("Another institution has this code."), field="code", status=409
            )
        )
    if fields.uscc and others.filter(uscc=fields.uscc).exists():
        errors.append(
            DomainError(
                ErrorCode.USCC_TAKEN, _("Another institution has this unified social credit code."), field="uscc",
                status=409,
            )
        )  # fmt: skip
    return errors


def institution_create(
    *,
    actor: User,
    code: str,
    name_zh: str,
    kind: str,
    region: str,
    admin: str,
    name_en: str = "",
    uscc: str | None = None,
    client_address: str = "",
) -> Institution:
    """A new institution and its first administrator (an existing account, by account number or
    email), for bank staff holding ``Role.INSTITUTION_MANAGER``. Nothing is written on any
    refusal; the creation is in the audit trail."""
    require_role(
        actor, Role.INSTITUTION_MANAGER, code=ErrorCode.NOT_INSTITUTION_MANAGER,
        message=_("Only bank staff who manage institutions may do this."),
    )  # fmt: skip
    errors: list[DomainError] = []
    fields: InstitutionFields | None = None
    try:
        fields = institution_clean(code=code, name_zh=name_zh, name_en=name_en, kind=kind, region=region, uscc=uscc)
    except DomainError as exc:
        errors.append(exc)
    try:
        admin_user = member_account(admin, field="admin")
    except DomainError as exc:
        errors.append(exc)
    if errors:
        raise DomainError.combine(errors)
    assert fields is not None
    taken = _taken(fields)
    if taken:
        raise DomainError.combine(taken)
    try:
        with transaction.atomic():
            institution = Institution.objects.create(
                code=fields.code, name_zh=fields.name_zh, name_en=fields.name_en, kind=fields.kind,
                region=fields.region, uscc=fields.uscc,
            )  # fmt: skip
            Membership.objects.create(user=admin_user, institution=institution, role=MemberRole.ADMIN, created_by=actor)
            audit_record(
                actor=actor, action="institution.created", object_type="institution", object_id=institution.code,
                client_address=client_address,
            )  # fmt: skip
            audit_record(
                actor=actor, action="institution.member_added", subject=admin_user, object_type="institution",
                object_id=institution.code, reason=MemberRole.ADMIN, client_address=client_address,
            )  # fmt: skip
    except IntegrityError as exc:  # a concurrent creation took the code or the USCC
        raise DomainError.combine(_taken(fields) or [
            DomainError(ErrorCode.INSTITUTION_CODE_TAKEN, _("Another institution has this code."), field="code", status=409)
        ]) from exc  # fmt: skip
    return institution
