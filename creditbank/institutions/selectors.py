"""Reads of institutions, their members and API clients, with the access checks.

An institution's own staff see only their institution: ``institution_get_for_actor`` is the
gate every management read and write passes (an administrator of that institution, or bank
staff holding ``Role.INSTITUTION_MANAGER``); anyone else, and an object of another institution,
gets the same ``NotFound`` as for one that does not exist, and the refusal is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.roles import Acting, Role, has_role, object_for_actor
from creditbank.institutions.domain.principals import ClientPrincipal
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import (
    AccountOpening,
    AccountOpeningRow,
    ApiClient,
    ApiClientCall,
    Course,
    Institution,
    MemberRole,
    Membership,
    Programme,
    ProgrammeStatus,
)
from creditbank.kernel.errors import NotFound, PermissionDenied

log = logging.getLogger("creditbank.institutions.access")

#: The accounts context's institution roles and the membership role that grants each.
MEMBER_ROLES: dict[Role, str] = {
    Role.INSTITUTION_ISSUER: MemberRole.ISSUER,
    Role.INSTITUTION_REVIEWER: MemberRole.REVIEWER,
    Role.INSTITUTION_ADMIN: MemberRole.ADMIN,
}

NO_INSTITUTION = _("No such institution.")
NO_MEMBER = _("No such member.")
NO_CLIENT = _("No such API client.")
NO_OPENING = _("No such account opening.")
NO_PROGRAMME = _("No such programme.")
NO_COURSE = _("No such course.")
#: The scope an institution's system needs to open accounts.
ACCOUNTS_SCOPE = "accounts:write"


def institution_role_held(user: Any, role: Role, institution: object | None) -> bool:
    """Whether ``user`` holds ``role`` at ``institution`` (an :class:`Institution` or its primary
    key; None: at any institution) through a membership of an active institution. Registered with
    ``accounts.roles`` at app ready, which asks it for every institution role."""
    member_role = MEMBER_ROLES.get(role)
    if member_role is None or getattr(user, "pk", None) is None:
        return False
    qs = Membership.objects.filter(user_id=user.pk, role=member_role, institution__active=True)
    if institution is not None:
        qs = qs.filter(institution_id=getattr(institution, "pk", institution))
    return qs.exists()


def institutions_listed() -> QuerySet[Institution]:
    """The public list: active institutions, by code."""
    return Institution.objects.filter(active=True).order_by("code")


def institution_get_public(code: str) -> Institution:
    found = institutions_listed().filter(code=code).first()
    if found is None:
        raise NotFound(NO_INSTITUTION)
    return found


def _refused(actor: Any, what: str, ident: object, institution: object) -> None:
    if getattr(actor, "is_authenticated", False):
        log.warning("institution access refused: account %s asked for %s %s of %s", actor.pk, what, ident, institution)


def institution_get_for_actor(
    *,
    actor: Any,
    code: str,
    role: Role = Role.INSTITUTION_ADMIN,
    acting: Acting = Acting.EITHER,
    for_update: bool = False,
) -> Institution:
    """The institution ``code`` if ``actor`` may manage it: holding ``role`` there (acting as
    a member) or ``Role.INSTITUTION_MANAGER`` bank-wide (acting as staff), as ``acting`` says.
    Anyone else gets the same NotFound as for an unknown code, and the refusal is logged."""
    qs = Institution.objects.select_for_update() if for_update else Institution.objects.all()
    institution = qs.filter(code=code).first()
    if institution is not None:
        staff = acting != Acting.OWNER and has_role(actor, Role.INSTITUTION_MANAGER)
        member = acting != Acting.STAFF and has_role(actor, role, institution=institution)
        if staff or member:
            return institution
        _refused(actor, "institution", code, code)
    raise NotFound(NO_INSTITUTION)


def _managing_role(actor: Any) -> Role:
    return Role.INSTITUTION_MANAGER if has_role(actor, Role.INSTITUTION_MANAGER) else Role.INSTITUTION_ADMIN


def _object_of_institution(
    queryset: QuerySet[Any], *, actor: Any, code: str, id: int, missing: Any, what: str, for_update: bool
) -> Any:
    institution = institution_get_for_actor(actor=actor, code=code)
    qs = queryset.filter(institution=institution)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return object_for_actor(
            qs, actor=actor, id=id, role=_managing_role(actor), institution=institution, acting=Acting.STAFF,
            missing=missing,
        )  # fmt: skip
    except NotFound:
        if queryset.model.objects.filter(pk=id).exclude(institution=institution).exists():
            _refused(actor, what, id, code)
        raise


def membership_get_for_actor(*, actor: Any, code: str, id: int, for_update: bool = False) -> Membership:
    """A membership of institution ``code``, for its administrators and bank staff managing
    institutions; a membership of another institution is NotFound (and logged)."""
    qs = Membership.objects.select_related("user", "institution")
    found: Membership = _object_of_institution(
        qs, actor=actor, code=code, id=id, missing=NO_MEMBER, what="membership", for_update=for_update
    )
    return found


def api_client_get_for_actor(*, actor: Any, code: str, id: int, for_update: bool = False) -> ApiClient:
    """An API client of institution ``code``, for its administrators and bank staff managing
    institutions; a client of another institution is NotFound (and logged)."""
    qs = ApiClient.objects.select_related("institution")
    found: ApiClient = _object_of_institution(
        qs, actor=actor, code=code, id=id, missing=NO_CLIENT, what="API client", for_update=for_update
    )
    return found


def memberships_of(*, institution: Institution) -> QuerySet[Membership]:
    """The institution's members (the caller has passed ``institution_get_for_actor``)."""
    return Membership.objects.filter(institution=institution).select_related("user").order_by("role", "id")


def api_clients_of(*, institution: Institution) -> QuerySet[ApiClient]:
    """The institution's API clients, newest first (the caller has passed the gate)."""
    return ApiClient.objects.filter(institution=institution).order_by("-created_at", "-id")


def institutions_of_member(*, user: Any) -> QuerySet[Institution]:
    """The active institutions where ``user`` holds any role (for their home page)."""
    if getattr(user, "pk", None) is None:
        return Institution.objects.none()
    return Institution.objects.filter(active=True, memberships__user_id=user.pk).distinct().order_by("code")


def institutions_administered(*, user: Any) -> QuerySet[Institution]:
    if getattr(user, "pk", None) is None:
        return Institution.objects.none()
    return (
        Institution.objects.filter(active=True, memberships__user_id=user.pk, memberships__role=MemberRole.ADMIN)
        .distinct()
        .order_by("code")
    )


def api_client_calls(*, client: ApiClient, limit: int = 20) -> list[ApiClientCall]:
    return list(ApiClientCall.objects.filter(client=client).order_by("-created_at", "-id")[:limit])


def institution_ids_with_role(*, user: Any, role: Role) -> list[int]:
    """The ids of the active institutions where ``user`` holds ``role`` (an institution role)."""
    member_role = MEMBER_ROLES.get(role)
    if member_role is None or getattr(user, "pk", None) is None:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk, role=member_role, institution__active=True)
        .values_list("institution_id", flat=True)
        .distinct()
    )


def institution_find_active(code: str) -> Institution | None:
    """The active institution with this code, or None (no access check: public facts)."""
    return institutions_listed().filter(code=(code or "").strip().lower()).first()


def roles_of_member(*, user: Any) -> list[tuple[Institution, list[str]]]:
    """Each active institution where ``user`` holds a role, with the roles held (for their home page)."""
    if getattr(user, "pk", None) is None:
        return []
    held: dict[int, tuple[Institution, list[str]]] = {}
    memberships = Membership.objects.filter(user_id=user.pk, institution__active=True).select_related("institution")
    for m in memberships.order_by("institution__code", "role"):
        held.setdefault(m.institution_id, (m.institution, []))[1].append(m.role)
    return list(held.values())


def opening_institution_for(*, caller: Any, code: str) -> Institution:
    """The institution ``code`` if ``caller`` may open accounts for it: its administrators and
    bank staff managing institutions (``institution_get_for_actor``), or its own API client whose
    token carries ``accounts:write`` (403 ``insufficient_scope`` without). Another institution's
    code is the NotFound of an unknown one, and the refusal is logged."""
    if not isinstance(caller, ClientPrincipal):
        return institution_get_for_actor(actor=caller, code=code)
    institution = Institution.objects.filter(code=code, active=True).first()
    if institution is None or institution.pk != caller.institution_pk:
        log.warning(
            "institution access refused: client %s of %s asked for %s", caller.client_id, caller.institution_code, code
        )
        raise NotFound(NO_INSTITUTION)
    if ACCOUNTS_SCOPE not in caller.scopes:
        raise PermissionDenied(
            ErrorCode.INSUFFICIENT_SCOPE,
            _("This client's token does not carry the scope this endpoint needs."),
            extra={"required": ACCOUNTS_SCOPE, "scopes": sorted(caller.scopes)},
        )
    return institution


def account_opening_get_for_actor(*, actor: Any, code: str, id: int, for_update: bool = False) -> AccountOpening:
    """An account opening of institution ``code``, for whoever may open accounts there
    (:func:`opening_institution_for`); one of another institution, through its path or one's own,
    is NotFound (and logged)."""
    institution = opening_institution_for(caller=actor, code=code)
    if not isinstance(actor, ClientPrincipal):
        found: AccountOpening = _object_of_institution(
            AccountOpening.objects.select_related("institution"), actor=actor, code=code, id=id, missing=NO_OPENING,
            what="account opening", for_update=for_update,
        )  # fmt: skip
        return found
    qs = AccountOpening.objects.select_related("institution").filter(institution=institution)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    opening = qs.filter(pk=id).first()
    if opening is None:
        if AccountOpening.objects.filter(pk=id).exclude(institution=institution).exists():
            log.warning("institution access refused: client %s asked for account opening %s", actor.client_id, id)
        raise NotFound(NO_OPENING)
    return opening


def account_openings_of(*, institution: Institution) -> QuerySet[AccountOpening]:
    """The institution's account openings, newest first (the caller has passed the gate)."""
    return AccountOpening.objects.filter(institution=institution).order_by("-created_at", "-id")


def account_opening_rows(*, opening: AccountOpening) -> QuerySet[AccountOpeningRow]:
    """The report's rows, in file order."""
    return AccountOpeningRow.objects.filter(opening=opening).order_by("number")


def account_opening_is_uploader(*, opening: AccountOpening, caller: Any) -> bool:
    """Whether ``caller`` uploaded the file: only they get its initial passwords."""
    if isinstance(caller, ClientPrincipal):
        return opening.client_id is not None and opening.client_id == caller.client_pk
    return opening.created_by_id is not None and opening.created_by_id == getattr(caller, "pk", None)


def account_opening_result_available(*, opening: AccountOpening, caller: Any, now: Any = None) -> bool:
    """Whether ``caller`` may fetch the opening's result file now: its uploader, after the run,
    within the result's hours, and not fetched before."""
    at = now or timezone.now()
    return (
        opening.finished
        and opening.result_downloaded_at is None
        and opening.result_purged_at is None
        and bool(opening.source_blob)
        and (opening.result_expires_at is None or opening.result_expires_at > at)
        and account_opening_is_uploader(opening=opening, caller=caller)
    )


# --- programmes (专业) and their courses ---------------------------------------------------------


def _published_programmes() -> QuerySet[Programme]:
    return Programme.objects.filter(status=ProgrammeStatus.PUBLISHED, institution__active=True).select_related(
        "institution"
    )


def programmes_public(institution_code: str | None = None, q: str = "") -> QuerySet[Programme]:
    """Published programmes of active institutions (public), by institution and code; narrowed to
    one institution's code, and to those whose code or name (or their institution's name)
    contains ``q``."""
    qs = _published_programmes()
    if institution_code:
        qs = qs.filter(institution__code=institution_code)
    text = (q or "").strip()
    if text:
        qs = qs.filter(
            Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text)
            | Q(institution__name_zh__icontains=text) | Q(institution__name_en__icontains=text)
        )  # fmt: skip
    return qs.order_by("institution__code", "code")


def programme_get_public(code: str, programme_code: str) -> Programme:
    """A published programme of an active institution; anything else is NotFound."""
    found = _published_programmes().filter(institution__code=code, code=programme_code).first()
    if found is None:
        raise NotFound(NO_PROGRAMME)
    return found


def programmes_for_admin(*, actor: Any, code: str) -> QuerySet[Programme]:
    """Every programme of institution ``code`` (drafts and retired ones too), for its
    administrators and bank staff managing institutions (``institution_get_for_actor``)."""
    institution = institution_get_for_actor(actor=actor, code=code)
    return Programme.objects.filter(institution=institution).select_related("institution").order_by("code")


def programme_get_for_actor(*, actor: Any, code: str, programme_code: str, for_update: bool = False) -> Programme:
    """A programme of institution ``code`` in any status, for its administrators and bank staff
    managing institutions; another institution's staff get the NotFound of an unknown
    institution (and the refusal is logged), an unknown programme is NotFound."""
    institution = institution_get_for_actor(actor=actor, code=code)
    qs = Programme.objects.select_related("institution").filter(institution=institution, code=programme_code)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.first()
    if found is None:
        raise NotFound(NO_PROGRAMME)
    return found


def course_get_for_actor(
    *, actor: Any, code: str, programme_code: str, course_code: str, for_update: bool = False
) -> Course:
    """A course of a programme of institution ``code``, for whoever passes
    :func:`programme_get_for_actor`."""
    programme = programme_get_for_actor(actor=actor, code=code, programme_code=programme_code)
    qs = Course.objects.filter(programme=programme, code=course_code)
    if for_update:
        qs = qs.select_for_update()
    found = qs.first()
    if found is None:
        raise NotFound(NO_COURSE)
    found.programme = programme
    return found


def courses_of(*, programme: Programme, active_only: bool = True) -> QuerySet[Course]:
    """The programme's courses by code (the caller has read the programme through a selector)."""
    qs = Course.objects.filter(programme=programme)
    return (qs.filter(active=True) if active_only else qs).order_by("code")


def programme_lookup(institution_code: str, programme_code: str) -> Programme | None:
    """The published programme ``programme_code`` of the active institution ``institution_code``,
    or None (public facts, no access check: for the rules context's targets)."""
    return _published_programmes().filter(institution__code=institution_code, code=programme_code).first()


def course_lookup(institution_code: str, programme_code: str, course_code: str) -> Course | None:
    """The active course ``course_code`` of a published programme (as :func:`programme_lookup`),
    or None."""
    programme = programme_lookup(institution_code, programme_code)
    if programme is None:
        return None
    found = Course.objects.filter(programme=programme, code=course_code, active=True).first()
    if found is not None:
        found.programme = programme
    return found


def programmes_with_courses(institution_codes: Iterable[str] | None = None) -> QuerySet[Programme]:
    """Published programmes of active institutions (of those codes, when given) with their active
    courses prefetched (``programme.courses.all()``, by code)."""
    qs = programmes_public()
    if institution_codes is not None:
        qs = qs.filter(institution__code__in=list(institution_codes))
    return qs.prefetch_related(Prefetch("courses", queryset=Course.objects.filter(active=True).order_by("code")))
