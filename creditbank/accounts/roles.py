"""Who may do what: the role predicates, in one place.

Every access check of the project asks here whether an account holds a role (optionally, later,
at an institution: "a reviewer of this institution" plugs in through ``institution``). A role
is held through a Django permission, granted to staff accounts directly or through a group.
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


def has_role(user: Any, role: Role, *, institution: object | None = None) -> bool:
    """Whether ``user`` (possibly anonymous) holds ``role``. ``institution`` scopes a role to one
    institution; bank-wide roles ignore it."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.has_perm(role.value))


def roles_of(user: Any) -> set[Role]:
    return {role for role in Role if has_role(user, role)}


def require_role(user: Any, role: Role, *, code: str, message: Any) -> None:
    """Refuse (403 with ``code``) an account that does not hold ``role``."""
    if not has_role(user, role):
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
) -> Any:
    """The one access check behind every ``<entity>_get_for_actor``: the object ``id`` of
    ``queryset`` if ``actor`` may see it (its owner, or an account holding ``role``, as
    ``acting`` says), else ``NotFound(missing)``, the same answer as for an object that does not
    exist (no existence leak). ``role`` None: only owners ever see it."""
    staff = role is not None and acting != Acting.OWNER and has_role(actor, role)
    if acting == Acting.STAFF and not staff:
        raise NotFound(missing)
    if not staff:
        queryset = queryset.filter(**{owner_field: getattr(actor, "pk", None) or 0})
    obj = queryset.filter(pk=id).first()
    if obj is None:
        raise NotFound(missing)
    return obj
