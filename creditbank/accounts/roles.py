"""Who may do what: the role predicates, in one place.

Every access check of the project asks here whether an account holds a role. A bank-wide role
is held through a Django permission, granted to staff accounts directly or through a group. A
role at an institution ("a reviewer of this institution") is held through a membership, which
the institutions context keeps: it registers its answer at app ready
(:func:`register_institution_roles`), since this context sits below it and does not import it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import NotFound, PermissionDenied


class Role(StrEnum):
    """Each role and the permission that grants it (app_label.codename)."""

    VERIFICATION_REVIEWER = "identity.review_verification"
    CHANGE_REVIEWER = "profiles.review_change_request"
    SUPPORT = "notices.answer_ticket"
    #: bank staff who onboard institutions and manage their staff and API clients
    INSTITUTION_MANAGER = "institutions.manage_institution"
    #: bank staff who may read any learner's credit account (each read audited)
    LEDGER_AUDITOR = "ledger.view_credit_account"
    #: bank staff who decide certification applications routed to the bank (non-member issuers)
    CERTIFICATION_REVIEWER = "outcomes.review_certification"
    #: bank staff who publish the bank's certification standards
    STANDARDS_EDITOR = "outcomes.publish_standard"
    #: bank staff who author and publish conversion rules for any institution
    RULES_EDITOR = "rules.publish_rule"
    #: bank staff who may decide any institution's conversion applications
    CONVERSION_REVIEWER = "rules.review_conversion"
    # Roles held at one institution (a membership there), not through a permission:
    INSTITUTION_ISSUER = "institution:issuer"
    INSTITUTION_REVIEWER = "institution:reviewer"
    INSTITUTION_ADMIN = "institution:admin"


#: The roles held at an institution, answered by the registered resolver.
INSTITUTION_ROLES = frozenset({Role.INSTITUTION_ISSUER, Role.INSTITUTION_REVIEWER, Role.INSTITUTION_ADMIN})

#: ``(user, role, institution)`` → whether ``user`` holds ``role`` at ``institution`` (at any
#: institution when it is None). The institutions context registers it (InstitutionsConfig).
InstitutionRoleResolver = Callable[[Any, Role, object | None], bool]
_institution_roles: dict[str, InstitutionRoleResolver] = {}


def register_institution_roles(resolver: InstitutionRoleResolver) -> None:
    """Let the institutions context answer for the roles held at an institution."""
    _institution_roles["resolver"] = resolver


def has_role(user: Any, role: Role, *, institution: object | None = None) -> bool:
    """Whether ``user`` (possibly anonymous) holds ``role``. For a role held at an institution
    (``INSTITUTION_ROLES``), ``institution`` names the institution (None: at any institution),
    and nobody holds it until the institutions context has registered its answer; bank-wide
    roles ignore ``institution``."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if role in INSTITUTION_ROLES:
        resolver = _institution_roles.get("resolver")
        return bool(resolver is not None and resolver(user, role, institution))
    return bool(user.has_perm(role.value))


def roles_of(user: Any) -> set[Role]:
    return {role for role in Role if has_role(user, role)}


def require_role(user: Any, role: Role, *, code: str, message: Any, institution: object | None = None) -> None:
    """Refuse (403 with ``code``) an account that does not hold ``role`` (at ``institution``)."""
    if not has_role(user, role, institution=institution):
        raise PermissionDenied(code, message)


def role_required(role: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Page views for staff holding ``role``: anyone else gets the 404 page (staff pages are not
    advertised to people who cannot use them). The kernel's middleware turns ``NotFound`` into
    the 404 page."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not has_role(getattr(request, "user", None), role):
                raise NotFound(_("Not found."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


class Acting(StrEnum):
    """In which capacity a ``*_get_for_actor`` reader asks for an object."""

    #: as its owner, or as staff holding the role (the default: detail pages shared by both)
    EITHER = "either"
    #: only as its owner, even if the actor also holds the role (the learner's own pages)
    OWNER = "owner"
    #: only as staff holding the role, even for an object the actor owns (the staff pages)
    STAFF = "staff"


def object_for_actor(
    queryset: Any,
    *,
    actor: Any,
    id: int,
    role: Role | None,
    missing: Any,
    acting: Acting = Acting.EITHER,
    owner_field: str = "user_id",
    institution: object | None = None,
) -> Any:
    """The one access check behind every ``<entity>_get_for_actor``: the object ``id`` of
    ``queryset`` if ``actor`` may see it (its owner, or an account holding ``role``, as
    ``acting`` says), else ``NotFound(missing)``, the same answer as for an object that does not
    exist (no existence leak). ``role`` None: only owners ever see it. ``institution`` is where
    a role held at an institution must be held (``has_role``'s ``institution``)."""
    staff = role is not None and acting != Acting.OWNER and has_role(actor, role, institution=institution)
    if acting == Acting.STAFF and not staff:
        raise NotFound(missing)
    if not staff:
        queryset = queryset.filter(**{owner_field: getattr(actor, "pk", None) or 0})
    obj = queryset.filter(pk=id).first()
    if obj is None:
        raise NotFound(missing)
    return obj
