"""Reads of institutions, their members and API clients, with the access checks.

An institution's own staff see only their institution: ``institution_get_for_actor`` is the
gate every management read and write passes (an administrator of that institution, or bank
staff holding ``Role.INSTITUTION_MANAGER``); anyone else, and an object of another institution,
gets the same ``NotFound`` as for one that does not exist, and the refusal is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.roles import Acting, Role, has_role, object_for_actor
from creditbank.institutions.models import ApiClient, ApiClientCall, Institution, MemberRole, Membership
from creditbank.kernel.errors import NotFound

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
