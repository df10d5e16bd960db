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
    initial_password: str,
    opened_by: User | None,
    email: str = "",
    on_behalf: str = "",
    language: str | None = None,
    client_address: str = "",
) -> User:
    """Open an activated account whose initial password must be changed at the first login.

    The values pass the rules of registration (name, GB 11643 ID number, phone, the password
    validators for ``initial_password``, the policy's minimum age), every refused field at once.
    The email is optional here: an institution may not know one (the account then has none until
    its owner adds one, and cannot reset its password by email before that). Unlike
    registration, which answers a duplicate as if it were new (no account enumeration), a value
    another account holds is refused by name: ``id_number_taken`` or ``contact_taken`` (409) on
    its field; the caller (an institution acting for its own learners, authorised by the
    institutions context) decides what its own caller may learn of it. Nothing is written on any
    refusal; the opening is in the audit trail: ``opened_by`` (None for an institution's system)
    and ``on_behalf``, who that is (for example ``institution:uni-a client:cbc_…``).
    """
    applicant, errors = applicant_check(name=name, id_number=id_number, phone=phone, email=email, email_required=False)
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
                email_required=False,
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
                reason=on_behalf,
                client_address=client_address,
            )
    except IntegrityError as exc:  # another account took one of the values since the check
        taken = taken_errors(id_number=id_number_value, phone=applicant.phone, email=applicant.email)
        if not taken:
            raise
        raise DomainError.combine(taken) from exc
    log.info(
        "account opened account_no=%s by=%s %s", user.account_no, opened_by.account_no if opened_by else "-", on_behalf
    )
    return user
