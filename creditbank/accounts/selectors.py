"""Reads of the accounts context, including who an identifier names and what a user may do."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.domain import account_numbers
from creditbank.accounts.domain.contacts import ContactError, normalise_email, normalise_phone
from creditbank.accounts.domain.id_number import normalise as normalise_id_number
from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.personal_data import ID_CONTEXT, PHONE_CONTEXT
from creditbank.kernel.errors import DomainError, PermissionDenied
from creditbank.kernel.pii import indexer


def id_number_index_candidates(value: str) -> list[str]:
    return indexer().candidates(value, context=ID_CONTEXT)


def phone_index_candidates(value: str) -> list[str]:
    return indexer().candidates(value, context=PHONE_CONTEXT)


def user_find_by_identifier(identifier: str) -> User | None:
    """The account an identifier names: account number, ID number, email or phone."""
    text = (identifier or "").strip()
    if not text or len(text) > 254:
        return None
    if "@" in unicodedata.normalize("NFKC", text):
        try:
            text = normalise_email(text)
        except ContactError:
            pass  # looked up as typed: it matches nobody unless stored so before normalisation
        return User.objects.filter(email__iexact=text).first()
    compact = normalise_id_number(text)
    if account_numbers.is_valid(compact):
        return User.objects.filter(account_no=compact).first()
    try:
        phone = normalise_phone(text)
    except ContactError:
        phone = None
    if phone:
        return User.objects.filter(phone_index__in=phone_index_candidates(phone)).first()
    if len(compact) == 18:
        return User.objects.filter(id_number_index__in=id_number_index_candidates(compact)).first()
    return None


def users_matching(*, id_number: str | None, email: str | None, phone: str | None) -> list[User]:
    """Existing accounts holding any of these (already normalised) values."""
    q = Q(pk__in=[])
    if id_number:
        q |= Q(id_number_index__in=id_number_index_candidates(id_number))
    if email:
        q |= Q(email__iexact=email)
    if phone:
        q |= Q(phone_index__in=phone_index_candidates(phone))
    return list(User.objects.filter(q))


def learner_find(*, account_no: str = "", id_number: str = "") -> User | None:
    """The account with this account number, else with this ID number (blind index); None when
    neither names one. Institutions name their learners so; nothing else is matched."""
    if account_no:
        compact = normalise_id_number(account_no)
        return User.objects.filter(account_no=compact).first() if account_numbers.is_valid(compact) else None
    compact = normalise_id_number(id_number or "")
    if len(compact) != 18:
        return None
    return User.objects.filter(id_number_index__in=id_number_index_candidates(compact)).first()


def learners_find(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """``learner_find`` for many (account_no, id_number) pairs at once, answering user ids, with at
    most two queries (account numbers with one IN, ID numbers through their blind-index candidates
    with another): each pair that names an account maps to its id, the others are left out."""
    by_account: dict[str, list[tuple[str, str]]] = {}
    by_index: dict[str, list[tuple[str, str]]] = {}
    for ref in set(refs):
        account_no, id_number = ref
        if account_no:
            compact = normalise_id_number(account_no)
            if account_numbers.is_valid(compact):
                by_account.setdefault(compact, []).append(ref)
            continue
        compact = normalise_id_number(id_number or "")
        if len(compact) == 18:
            for candidate in id_number_index_candidates(compact):
                by_index.setdefault(candidate, []).append(ref)
    found: dict[tuple[str, str], int] = {}
    if by_account:
        for pk, account_no in User.objects.filter(account_no__in=list(by_account)).values_list("id", "account_no"):
            for ref in by_account[account_no]:
                found[ref] = pk
    if by_index:
        for pk, index in User.objects.filter(id_number_index__in=list(by_index)).values_list("id", "id_number_index"):
            for ref in by_index[index or ""]:
                found.setdefault(ref, pk)
    return found


@dataclass(frozen=True)
class NextStep:
    code: str
    message: Any
    url_name: str | None = None


@dataclass(frozen=True)
class Capabilities:
    status: str
    may: list[str] = field(default_factory=list)
    next_step: NextStep | None = None


VERIFIED_ACTIONS = ["apply_certification", "apply_conversion", "share", "issue_credentials", "edit_history"]


#: What an activated account is to do about real-name verification, and whether it may submit
#: one now: the identity context answers (it holds the attempts), registering its answer at app
#: ready so that this module need not import identity. The default is what an account without
#: attempts is told.
VerificationStep = Callable[[User], tuple[NextStep, bool]]
_verification_step: dict[str, VerificationStep] = {}


def register_verification_step(provider: VerificationStep) -> None:
    """Let the identity context give the verification part of the next step (see IdentityConfig)."""
    _verification_step["provider"] = provider


def _verification(user: User) -> tuple[NextStep, bool]:
    provider = _verification_step.get("provider")
    if provider is not None:
        return provider(user)
    return (
        NextStep(
            "verify_identity",
            _("Complete real-name verification: upload both sides of your ID card."),
            "identity:verification",
        ),
        True,
    )


def _next_step(user: User) -> tuple[NextStep | None, bool]:
    """The next step and whether the account may submit a verification now (one answer for the
    banner, the home page, ``GET /me`` and the verification API's ``can_submit``)."""
    verification = _verification(user) if user.status == AccountStatus.ACTIVATED else None
    return _step(user, verification[0] if verification else None), bool(verification and verification[1])


def _step(user: User, verification: NextStep | None) -> NextStep | None:
    if user.must_change_password:
        return NextStep("change_password", _("Set a new password before you continue."), "accounts:password_set")
    if user.status == AccountStatus.REGISTERED:
        return NextStep(
            "activate_email",
            _("Open the activation link we emailed you to activate your account."),
            "accounts:activation_resend",
        )
    if verification is not None and not user.is_staff:
        return verification
    if user.status == AccountStatus.SUSPENDED:
        return NextStep("contact_support", _("Your account is suspended. Contact support."), None)
    if user.status == AccountStatus.CLOSED:
        return NextStep("closed", _("This account is closed."), None)
    return None


def user_next_step(user: User) -> NextStep | None:
    return _next_step(user)[0]


def user_capabilities(user: User) -> Capabilities:
    step, may_submit = _next_step(user)
    may = ["view_profile", "contact_support"]
    if may_submit:
        may.append("submit_verification")
    if user.status == AccountStatus.VERIFIED:
        may += VERIFIED_ACTIONS
    return Capabilities(status=user.status, may=may, next_step=step)


def user_require_verified(user: User) -> None:
    """The gate of every operation that needs a verified account: ``not_verified`` + next step."""
    if user.status == AccountStatus.VERIFIED and not user.must_change_password:
        return
    step = user_next_step(user)
    raise PermissionDenied(
        ErrorCode.NOT_VERIFIED,
        _("This needs a verified account (real-name verification). %(next)s") % {"next": step.message if step else ""},
        extra={"next_step": step.code if step else "", "account_status": user.status},
    )


def user_require_status(user: User, *statuses: str, code: str, message: Any) -> None:
    if user.status not in statuses:
        step = user_next_step(user)
        raise DomainError(
            code, message, status=403, extra={"next_step": step.code if step else "", "account_status": user.status}
        )
