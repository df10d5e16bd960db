"""An institution's administrators (and bank staff managing institutions) add and remove the
accounts that work for it: issuers, reviewers, administrators."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.audit.services import audit_record
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import MemberRole, Membership
from creditbank.institutions.selectors import institution_get_for_actor, membership_get_for_actor
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode


def member_account(identifier: str, *, field: str = "account") -> User:
    """The existing, active account an account number or an email names; ID numbers and phones
    are not accepted here (an institution names its staff by their account or work email)."""
    text = (identifier or "").strip()
    user = user_find_by_identifier(text) if text else None
    if user is not None and "@" not in text and user.account_no != text.upper():
        user = None  # found by phone or ID number: not a way to name a member
    if user is None or not user.is_active:
        raise DomainError(
            ErrorCode.MEMBER_ACCOUNT_UNKNOWN,
            _("No account has this account number or email. The person registers first, then you add them."),
            field=field,
        )
    return user


def member_add(*, actor: User, code: str, account: str, role: str, client_address: str = "") -> Membership:
    """Give an existing account ``role`` at institution ``code``; the same role twice is refused
    (409 ``membership_exists``)."""
    institution = institution_get_for_actor(actor=actor, code=code)
    errors: list[DomainError] = []
    if role not in MemberRole.values:
        errors.append(
            DomainError(
                KernelCode.CHOICE_INVALID, _("Choose a role."), field="role", extra={"allowed": MemberRole.values}
            )
        )
    try:
        user = member_account(account)
    except DomainError as exc:
        errors.append(exc)
    if errors:
        raise DomainError.combine(errors)
    exists = DomainError(
        ErrorCode.MEMBERSHIP_EXISTS, _("This account already holds this role here."), field="account", status=409
    )
    if Membership.objects.filter(user=user, institution=institution, role=role).exists():
        raise exists
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, institution=institution, role=role, created_by=actor)
            audit_record(
                actor=actor, action="institution.member_added", subject=user, object_type="institution",
                object_id=institution.code, reason=role, client_address=client_address,
            )  # fmt: skip
    except IntegrityError as exc:
        raise exists from exc
    return membership


def member_remove(*, actor: User, code: str, membership_id: int, client_address: str = "") -> None:
    """Remove a membership. The institution keeps at least one administrator (409
    ``last_admin``); locking the institution row serialises two removals at once."""
    with transaction.atomic():
        institution = institution_get_for_actor(actor=actor, code=code, for_update=True)
        membership = membership_get_for_actor(actor=actor, code=code, id=membership_id, for_update=True)
        if (
            membership.role == MemberRole.ADMIN
            and Membership.objects.filter(institution=institution, role=MemberRole.ADMIN).count() <= 1
        ):
            raise DomainError(
                ErrorCode.LAST_ADMIN,
                _("An institution keeps at least one administrator: add another one first."),
                status=409,
            )
        user = membership.user
        role = membership.role
        membership.delete()
        audit_record(
            actor=actor, action="institution.member_removed", subject=user, object_type="institution",
            object_id=institution.code, reason=role, client_address=client_address,
        )  # fmt: skip
