"""Accounts opened for a learner by an institution, with an initial password (开户).

The institutions context calls :func:`user_open` once it has checked that the caller may open
accounts for that institution; this module checks only the learner's values.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services.applicants import (
    applicant_age_problems,
    applicant_check,
    applicant_holders,
    applicant_user,
)
from creditbank.accounts.services.passwords import password_problems
from creditbank.accounts.services.registration import accounts_purge_unactivated
from creditbank.accounts.services.users import taken_errors
from creditbank.audit.services import audit_record
from creditbank.kernel.errors import DomainError

log = logging.getLogger(__name__)


def user_open(
    *,
    name: str,
    id_number: str,
    phone: str,
    email: str,
    initial_password: str,
    opened_by: User,
    language: str | None = None,
    client_address: str = "",
) -> User:
    """Open an activated account whose initial password must be changed at the first login.

    The values pass the rules of registration (name, GB 11643 ID number, phone, email, the
    password validators for ``initial_password``, the policy's minimum age), every refused field
    at once. Unlike registration, which answers a duplicate as if it were new (no account
    enumeration), a value another account holds is refused by name: ``id_number_taken`` or
    ``contact_taken`` (409) on its field, since the institution must know to use the existing
    account. Nothing is written on any refusal; the opening is in the audit trail.
    """
    applicant, errors = applicant_check(name=name, id_number=id_number, phone=phone, email=email)
    errors += password_problems(
        initial_password, User(name=applicant.name, email=applicant.email), field="initial_password"
    )
    if not errors:
        errors += applicant_age_problems(applicant)
    if errors:
        raise DomainError.combine(errors)
    assert applicant.id_number is not None
    id_number_value = applicant.id_number.value
    # As in registration: an account never activated in time holds nobody's details any longer.
    accounts_purge_unactivated(among=applicant_holders(applicant))
    taken = taken_errors(id_number=id_number_value, phone=applicant.phone, email=applicant.email)
    if taken:
        raise DomainError.combine(taken)

    now = timezone.now()
    try:
        with transaction.atomic():
            user = applicant_user(
                applicant,
                status=AccountStatus.ACTIVATED,
                activated_at=now,
                must_change_password=True,
                preferred_language=language or settings.LANGUAGE_CODE,
                password=make_password(initial_password),
                password_changed_at=now,
            )
            user.save()
            audit_record(
                actor=opened_by,
                action="account.opened",
                subject=user,
                object_type="user",
                object_id=user.pk,
                client_address=client_address,
            )
    except IntegrityError as exc:  # another account took one of the values since the check
        taken = taken_errors(id_number=id_number_value, phone=applicant.phone, email=applicant.email)
        if not taken:
            raise
        raise DomainError.combine(taken) from exc
    log.info("account opened account_no=%s by=%s", user.account_no, opened_by.account_no)
    return user
