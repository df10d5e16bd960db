"""Registration of a learner: the checks, the counts that slow down abuse, the new account."""

from __future__ import annotations

import functools
import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from creditbank.accounts import tasks
from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services.applicants import (
    Applicant,
    account_number_issue,
    applicant_age_problems,
    applicant_check,
    applicant_holders,
    applicant_user,
)
from creditbank.accounts.services.fields import field_error
from creditbank.accounts.services.passwords import password_problems
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError, RateLimited
from creditbank.kernel.policy import policy

log = logging.getLogger(__name__)

REGISTRATIONS_SPENT = _(
    "Many accounts have been registered from your network address in the last hour. Try again %(when)s."
)
REGISTRATION_RETRIES_SPENT = _(
    "You have tried to register many times in the last hour. Check every field carefully and try again %(when)s."
)
REGISTRATIONS_REFUSED = _(
    "Many registrations from your network address were refused in the last hour. Check the details and "
    "try again %(when)s."
)
_WINDOW = 3600


@dataclass(frozen=True)
class RegistrationResult:
    account_no: str
    status: str
    created: bool  # False when the answer is the generic one for a duplicate (never shown to the client)


def user_register(
    *,
    name: str,
    id_number: str,
    phone: str,
    email: str,
    password: str,
    accept_terms: bool,
    terms_version: str,
    client_address: str = "",
    language: str | None = None,
) -> RegistrationResult:
    """Register a learner. Every invalid field is reported at once; nothing is written then.

    A duplicate ID number, email or phone gets the same answer as a success (no account
    enumeration); the existing owner is told by email.
    """
    address = ratelimit.hashed(client_address)
    _address_may_register(address)
    applicant = _registration_checked(
        name=name,
        id_number=id_number,
        phone=phone,
        email=email,
        password=password,
        accept_terms=accept_terms,
        terms_version=terms_version,
        address=address,
    )
    _count_registration(address)
    # An account never activated within the link's lifetime holds nobody's details any longer:
    # otherwise anyone could squat a leaked ID number or a phone by registering and walking away.
    accounts_purge_unactivated(among=applicant_holders(applicant))
    existing = applicant_holders(applicant)
    password_hash = make_password(password)  # hash in every branch: same cost for duplicates
    lang = language or get_language() or settings.LANGUAGE_CODE
    if existing:
        return _duplicate_registration(existing, lang)
    return _registration_store(applicant, password_hash=password_hash, terms_version=terms_version, lang=lang)


def _address_may_register(address: str) -> None:
    """Refused at once (nothing counted) when the address has used its hour."""
    try:
        ratelimit.check("register:" + address, limit=policy().registrations_per_address_per_hour, window=_WINDOW)
    except RateLimited as exc:
        raise ratelimit.refusal(REGISTRATIONS_SPENT, retry_after=exc.retry_after) from exc


def _registration_checked(
    *,
    name: str,
    id_number: str,
    phone: str,
    email: str,
    password: str,
    accept_terms: bool,
    terms_version: str,
    address: str,
) -> Applicant:
    """The applicant, or every refused field at once (the refusal counted against the address)."""
    applicant, errors = applicant_check(name=name, id_number=id_number, phone=phone, email=email)
    if accept_terms is not True:
        errors.append(field_error(ErrorCode.TERMS_NOT_ACCEPTED, "accept_terms"))
    elif terms_version != policy().terms_version:
        errors.append(
            field_error(
                ErrorCode.TERMS_VERSION_MISMATCH,
                "terms_version",
                extra={"current_terms_version": policy().terms_version},
            )
        )
    errors += password_problems(password, User(name=applicant.name, email=applicant.email), field="password")
    if not errors:
        errors += applicant_age_problems(applicant)
    if errors:
        _count_refused_registration(address, {"name": name, "id_number": id_number, "phone": phone, "email": email})
        raise DomainError.combine(errors)
    return applicant


def _count_registration(address: str) -> None:
    """Counted atomically before the password is hashed and anything is written."""
    try:
        ratelimit.hit("register:" + address, limit=policy().registrations_per_address_per_hour, window=_WINDOW)
    except RateLimited as exc:
        raise ratelimit.refusal(REGISTRATIONS_SPENT, retry_after=exc.retry_after) from exc


def _registration_store(
    applicant: Applicant, *, password_hash: str, terms_version: str, lang: str
) -> RegistrationResult:
    """The new account (registered, activation link emailed after commit); a registration of the
    same ID number, email or phone that won the race makes this one a duplicate."""
    now = timezone.now()
    try:
        with transaction.atomic():
            user = applicant_user(
                applicant,
                status=AccountStatus.REGISTERED,
                terms_version=terms_version,
                terms_accepted_at=now,
                preferred_language=lang,
                password=password_hash,
                password_changed_at=now,
            )
            user.save()
            user_id = user.pk
            transaction.on_commit(lambda: tasks.send_account_email.enqueue(user_id, "activation", lang))
    except IntegrityError:
        return _duplicate_registration(applicant_holders(applicant), lang)
    log.info("account registered account_no=%s", user.account_no)
    return RegistrationResult(account_no=user.account_no, status=user.status, created=True)


def _count_refused_registration(address: str, values: dict[str, str]) -> None:
    """Count a refused registration once per person, not once per typo.

    A retry that shares a field value with a refusal from this address in the same hour is the
    same person fixing a mistake: it does not count against the address, only against that
    person (at most REGISTRATION_REFUSALS_PER_PERSON_PER_HOUR). A new person counts against the
    address (at most REGISTRATION_REFUSED_PEOPLE_PER_ADDRESS_PER_HOUR). Past either, the answer
    is rate_limited with the time to come back.
    """
    window = 3600
    marks = [
        "register-seen:" + ratelimit.hashed(address, field, text)
        for field, value in sorted(values.items())
        if (text := "".join(unicodedata.normalize("NFKC", value or "").lower().split()))
    ] or ["register-seen:" + ratelimit.hashed(address, "empty")]
    counts = [ratelimit.hit(mark, limit=10**9, window=window) for mark in marks]
    if max(counts) > 1:  # shares a value with an earlier refusal: the same person again
        try:
            for mark in marks:
                ratelimit.check(mark, limit=policy().registration_refusals_per_person_per_hour + 1, window=window)
        except RateLimited as exc:
            raise ratelimit.refusal(REGISTRATION_RETRIES_SPENT, retry_after=exc.retry_after) from exc
        return
    try:
        ratelimit.hit(
            "register-refused:" + address,
            limit=policy().registration_refused_people_per_address_per_hour,
            window=window,
        )
    except RateLimited as exc:
        raise ratelimit.refusal(REGISTRATIONS_REFUSED, retry_after=exc.retry_after) from exc


def accounts_purge_unactivated(*, among: list[User] | None = None) -> int:
    """Delete accounts still ``registered`` after the activation link's lifetime (their numbers
    stay reserved in IssuedAccountNumber). ``among`` limits it to some accounts."""
    cutoff = timezone.now() - timedelta(seconds=settings.ACTIVATION_TOKEN_MAX_AGE)
    qs = User.objects.filter(status=AccountStatus.REGISTERED, created_at__lt=cutoff, is_staff=False)
    if among is not None:
        qs = qs.filter(pk__in=[u.pk for u in among])
    count = 0
    for user in qs:
        log.info("unactivated account removed account_no=%s", user.account_no)
        user.delete()
        count += 1
    return count


def _duplicate_registration(existing: list[User], lang: str) -> RegistrationResult:
    for owner in existing:
        transaction.on_commit(functools.partial(tasks.send_account_email.enqueue, owner.pk, "duplicate", lang))
    # The same shape as a success: a fresh number that is reserved (never issued to anyone).
    return RegistrationResult(account_no=account_number_issue(), status=AccountStatus.REGISTERED, created=False)
