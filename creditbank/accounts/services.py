"""Writes of the accounts context: registration, activation, login, tokens, passwords."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from creditbank.accounts import tasks, tokens
from creditbank.accounts.domain import account_numbers
from creditbank.accounts.domain.contacts import ContactError, normalise_email, normalise_phone
from creditbank.accounts.domain.login_throttle import required_delay
from creditbank.accounts.domain.names import InvalidName, clean_name
from creditbank.accounts.domain.regions import RegionMatch
from creditbank.accounts.domain.scripts import describe_character
from creditbank.accounts.id_numbers import id_number_parse
from creditbank.accounts.models import AccountStatus, ApiToken, IssuedAccountNumber, User
from creditbank.accounts.selectors import (
    ID_CONTEXT,
    PHONE_CONTEXT,
    user_find_by_identifier,
    users_matching,
)
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError, RateLimited
from creditbank.kernel.masking import mask_id_number, mask_phone
from creditbank.kernel.pii import cipher, indexer

log = logging.getLogger(__name__)

FIELD_MESSAGES: dict[str, Any] = {
    "name_required": _("Enter your name as it appears on your ID card."),
    "name_too_long": _("A name has at most 64 characters."),
    "name_invalid_characters": _(
        "%(character)s cannot be part of a name. A name may contain Chinese characters or Latin letters, "
        "spaces, the middle dot (·), the hyphen and the apostrophe only: no digits, symbols or invisible "
        "characters."
    ),
    "name_no_letters": _("A name needs letters: Chinese characters or Latin letters."),
    "name_script_not_allowed": _(
        "%(character)s is one of the %(script)s. Write your name as on your ID document, in Chinese "
        "characters or in Latin letters."
    ),
    "name_mixed_scripts": _(
        "Write the whole name in one script: %(character)s is one of the %(script)s, the rest of the name "
        "is in %(main_script)s. Letters of other alphabets that only look alike are not accepted."
    ),
    "phone_required": _("Enter your mobile phone number."),
    "phone_invalid": _("Enter a mainland China mobile number: 11 digits starting with 1, for example 13812345678."),
    "email_required": _("Enter your email address."),
    "email_invalid": _("Enter a valid email address, for example name@example.com."),
    "email_not_ascii": _(
        "%(character)s cannot be used before the @: that part of an email address takes Latin letters "
        "without accents, digits and the signs . _ + - only. Check the keyboard layout."
    ),
    "email_mixed_scripts": _(
        "%(character)s in the domain (after the @) is a letter of another alphabet that looks like a Latin "
        "one. Type the address again with a Latin keyboard layout."
    ),
    "terms_not_accepted": _("You must read and accept the terms of service to register."),
    "terms_version_mismatch": _("The terms of service have changed. Read the current version and accept it."),
    "password_required": _("Enter a password."),
}

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

SCRIPT_NAMES: dict[str, Any] = {
    "han": _("Chinese characters"),
    "latin": _("Latin letters"),
    "cyrillic": _("Cyrillic letters"),
    "greek": _("Greek letters"),
}

GENERIC_LOGIN_ERROR = _("The account or password is incorrect.")
_DUMMY_HASH: list[str] = []


def _policy(key: str) -> Any:
    return settings.CREDITBANK_POLICY[key]


def _field_error(code: str, field: str) -> DomainError:
    return DomainError(code, FIELD_MESSAGES[code], field=field)


def _script_name(script: str) -> Any:
    return SCRIPT_NAMES.get(script) or _("letters of another script (%(script)s)") % {"script": script}


def name_error(exc: InvalidName, *, field: str) -> DomainError:
    """The field error for a refused name, naming the offending character and scripts."""
    message = FIELD_MESSAGES[exc.code]
    if exc.character:
        message = message % {
            "character": describe_character(exc.character),
            "script": _script_name(exc.script),
            "main_script": _script_name(exc.main_script),
        }
    return DomainError(exc.code, message, field=field)


def contact_error(exc: ContactError, *, field: str) -> DomainError:
    """The field error for a refused phone number or email address."""
    message = FIELD_MESSAGES[exc.code]
    if exc.character:
        message = message % {"character": describe_character(exc.character)}
    return DomainError(exc.code, message, field=field)


def _password_errors(password: str, user: User | None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


# --- Registration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationResult:
    account_no: str
    status: str
    created: bool  # False when the answer is the generic one for a duplicate (never shown to the client)


def account_number_issue() -> str:
    for _attempt in range(20):
        number = account_numbers.generate()
        try:
            with transaction.atomic():
                IssuedAccountNumber.objects.create(number=number)
        except IntegrityError:
            continue
        return number
    raise RuntimeError("could not issue a unique account number")


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
    registered_key = "register:" + address
    try:  # refused at once (nothing counted) when the address has used its hour
        ratelimit.check(registered_key, limit=_policy("REGISTRATIONS_PER_ADDRESS_PER_HOUR"), window=3600)
    except RateLimited as exc:
        raise ratelimit.refusal(REGISTRATIONS_SPENT, retry_after=exc.retry_after) from exc
    errors: list[DomainError] = []

    try:
        clean = clean_name(name)
    except InvalidName as exc:
        errors.append(name_error(exc, field="name"))
        clean = ""
    parsed = None
    try:
        parsed = id_number_parse(id_number, field="id_number")
    except DomainError as exc:
        errors.append(exc)
    try:
        phone_e164 = normalise_phone(phone)
    except ContactError as exc:
        errors.append(contact_error(exc, field="phone"))
        phone_e164 = ""
    try:
        email_norm = normalise_email(email)
    except ContactError as exc:
        errors.append(contact_error(exc, field="email"))
        email_norm = ""
    if accept_terms is not True:
        errors.append(_field_error("terms_not_accepted", "accept_terms"))
    elif terms_version != _policy("TERMS_VERSION"):
        errors.append(
            DomainError(
                "terms_version_mismatch",
                FIELD_MESSAGES["terms_version_mismatch"],
                field="terms_version",
                extra={"current_terms_version": _policy("TERMS_VERSION")},
            )
        )
    if not password:
        errors.append(_field_error("password_required", "password"))
    else:
        probe = User(name=clean, email=email_norm)
        messages = _password_errors(password, probe)
        if messages:
            errors.append(DomainError("password_invalid", messages[0], errors={"password": messages}))

    if parsed is not None and not errors:
        age = parsed.age_on(timezone.localdate())
        if age < _policy("MINIMUM_AGE"):
            errors.append(
                DomainError(
                    "guardian_consent_required",
                    _(
                        "You are under %(age)d. Under the Personal Information Protection Law (art. 31) a "
                        "guardian must consent for you; online registration is not open to you yet. Ask "
                        "your school or a guardian to contact the credit bank."
                    )
                    % {"age": _policy("MINIMUM_AGE")},
                    field="id_number",
                )
            )

    if errors:
        _count_refused_registration(address, {"name": name, "id_number": id_number, "phone": phone, "email": email})
        raise DomainError.combine(errors)

    assert parsed is not None
    try:  # counted atomically before the password is hashed and anything is written
        ratelimit.hit(registered_key, limit=_policy("REGISTRATIONS_PER_ADDRESS_PER_HOUR"), window=3600)
    except RateLimited as exc:
        raise ratelimit.refusal(REGISTRATIONS_SPENT, retry_after=exc.retry_after) from exc
    # An account never activated within the link's lifetime holds nobody's details any longer:
    # otherwise anyone could squat a leaked ID number or a phone by registering and walking away.
    accounts_purge_unactivated(among=users_matching(id_number=parsed.value, email=email_norm, phone=phone_e164))
    existing = users_matching(id_number=parsed.value, email=email_norm, phone=phone_e164)
    password_hash = make_password(password)  # hash in every branch: same cost for duplicates
    lang = language or get_language() or settings.LANGUAGE_CODE
    if existing:
        return _duplicate_registration(existing, lang)

    now = timezone.now()
    c, ix = cipher(), indexer()
    try:
        with transaction.atomic():
            user = User(
                account_no=account_number_issue(),
                name=clean,
                email=email_norm,
                id_number_enc=c.encrypt(parsed.value, context=ID_CONTEXT),
                id_number_index=ix.index(parsed.value, context=ID_CONTEXT),
                id_number_masked=mask_id_number(parsed.value),
                phone_enc=c.encrypt(phone_e164, context=PHONE_CONTEXT),
                phone_index=ix.index(phone_e164, context=PHONE_CONTEXT),
                phone_masked=mask_phone(phone_e164),
                gender=parsed.gender,
                birth_date=parsed.birth_date,
                region_code=parsed.region_code,
                region_flagged=parsed.region_match is RegionMatch.PROVINCE_ONLY,
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
        # Lost a race with a registration of the same ID number, email or phone.
        existing = users_matching(id_number=parsed.value, email=email_norm, phone=phone_e164)
        return _duplicate_registration(existing, lang)
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
                ratelimit.check(mark, limit=_policy("REGISTRATION_REFUSALS_PER_PERSON_PER_HOUR") + 1, window=window)
        except RateLimited as exc:
            raise ratelimit.refusal(REGISTRATION_RETRIES_SPENT, retry_after=exc.retry_after) from exc
        return
    try:
        ratelimit.hit(
            "register-refused:" + address,
            limit=_policy("REGISTRATION_REFUSED_PEOPLE_PER_ADDRESS_PER_HOUR"),
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


# --- Activation --------------------------------------------------------------------------------


def user_activate(*, token: str) -> User:
    user = tokens.read_token(token, tokens.ACTIVATION)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.status != AccountStatus.REGISTERED:
            raise DomainError(
                "token_invalid", _("This link is not valid or has already been used. Ask for a new one."), field="token"
            )
        user.status = AccountStatus.ACTIVATED
        user.activated_at = timezone.now()
        user.save(update_fields=["status", "activated_at"])
    log.info("account activated account_no=%s", user.account_no)
    return user


def activation_resend(*, email: str, client_address: str = "") -> None:
    """Send a new activation link if an unactivated account has this email. Same answer always."""
    try:
        email_norm = normalise_email(email)
    except ContactError as exc:
        raise contact_error(exc, field="email") from exc
    ratelimit.hit("activation-resend-ip:" + ratelimit.hashed(client_address), limit=20, window=3600)
    ratelimit.hit(
        "activation-resend:" + ratelimit.hashed(email_norm.lower()),
        limit=_policy("ACTIVATION_RESENDS_PER_HOUR"),
        window=3600,
        message=_("An activation email was sent recently. Check your inbox (and spam folder) or try again later."),
    )
    user = User.objects.filter(email__iexact=email_norm, status=AccountStatus.REGISTERED).first()
    if user is not None:
        user_id, lang = user.pk, user.preferred_language or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: tasks.send_account_email.enqueue(user_id, "activation", lang))


# --- Login and tokens ------------------------------------------------------------------------------


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


LOGIN_ADDRESS_BLOCKED = _("Too many failed logins from your network address. Try again %(when)s.")
LOGIN_PAIR_BLOCKED = _(
    "Too many wrong passwords for this account from your network address. Try again %(when)s, or reset your password."
)
LOGIN_SLOWED = _(
    "This account has had many failed logins, so attempts are slowed down. Try again %(when)s. "
    "Forgot your password? Reset it instead."
)


def auth_login(*, identifier: str, password: str, client_address: str = "") -> User:
    """Check credentials, throttled so that guessing is slow and nobody can lock the owner out.

    Every count is made atomically BEFORE the password is checked (a parallel burst cannot get
    past a limit) and taken back when the password was right (ADR 0011):

    - failures from one address across all accounts: past LOGIN_ATTEMPTS_PER_ADDRESS the
      address is blocked for the window;
    - failures of one address on one account: past LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS that
      address is blocked for that account (a success from it clears the count);
    - failures of one account from all addresses never block it: past LOGIN_FAILURES_PER_ACCOUNT
      an address that has itself failed on the account waits a delay that doubles with every
      failure (LOGIN_DELAY_BASE … LOGIN_DELAY_MAX), while an address with no failures on it goes
      straight to the password check, so the owner still gets in; at LOGIN_ALERT_AFTER_FAILURES
      the owner is emailed, once per window.

    An unknown identifier goes through the same counts, costs the same password hashing and
    gets the same answers as a wrong password. Raises ``invalid_credentials`` (400),
    ``rate_limited`` (429, with the time to retry) or ``account_inactive`` (403, suspended or
    closed, only after a correct password).
    """
    identifier = (identifier or "").strip()[:254]
    user = user_find_by_identifier(identifier) if identifier else None
    subject = str(user.pk) if user is not None else "unknown:" + identifier.lower()
    window = _policy("LOGIN_FAILURES_PER_ACCOUNT_WINDOW")
    ip_window = _policy("LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW")
    ip_key = "login-ip:" + ratelimit.hashed(client_address)
    pair_key = "login-pair:" + ratelimit.hashed(subject, client_address)
    account_key = "login-account:" + ratelimit.hashed(subject)

    _login_hit(ip_key, limit=_policy("LOGIN_ATTEMPTS_PER_ADDRESS"), window=ip_window, message=LOGIN_ADDRESS_BLOCKED)
    pair_failures = _login_hit(
        pair_key, limit=_policy("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"), window=window, message=LOGIN_PAIR_BLOCKED
    )
    if pair_failures > 1:  # this address has failed on this account before: it may have to wait
        delay = required_delay(
            ratelimit.current(account_key, window=window),
            free=_policy("LOGIN_FAILURES_PER_ACCOUNT"),
            base=_policy("LOGIN_DELAY_BASE"),
            cap=_policy("LOGIN_DELAY_MAX"),
        )
        if delay:
            try:  # one attempt per delay from all such addresses together
                ratelimit.hit("login-slow:" + ratelimit.hashed(subject), limit=1, window=delay)
            except RateLimited as exc:  # not a password failure: take the counts back
                ratelimit.release(pair_key, window=window)
                ratelimit.release(ip_key, window=ip_window)
                raise ratelimit.refusal(LOGIN_SLOWED, retry_after=exc.retry_after) from exc
    account_failures = ratelimit.hit(account_key, limit=10**9, window=window)

    password = password or ""
    if user is None:
        check_password(password, _dummy_hash())
        ok = False
    else:
        ok = user.check_password(password)
    if not ok:
        if user is not None and account_failures >= _policy("LOGIN_ALERT_AFTER_FAILURES"):
            _login_alert(user, account_key=account_key, failures=account_failures, client_address=client_address)
        raise DomainError("invalid_credentials", GENERIC_LOGIN_ERROR, errors={"__all__": [GENERIC_LOGIN_ERROR]})
    assert user is not None
    with transaction.atomic():  # one commit: the right password is not a failure anywhere
        ratelimit.clear(pair_key, window=window)
        ratelimit.release(ip_key, window=ip_window)
        ratelimit.release(account_key, window=window)
    if user.status in (AccountStatus.SUSPENDED, AccountStatus.CLOSED) or not user.is_active:
        raise DomainError("account_inactive", _("This account is suspended or closed. Contact support."), status=403)
    return user


def _login_hit(key: str, *, limit: int, window: int, message: Any) -> int:
    try:
        return ratelimit.hit(key, limit=limit, window=window)
    except RateLimited as exc:
        raise ratelimit.refusal(message, retry_after=exc.retry_after) from exc


def _address_hint(client_address: str) -> str:
    """The network an address belongs to, not the address: 203.0.113.0/24, 2001:db8:1::/48."""
    try:
        ip = ipaddress.ip_address(client_address)
    except ValueError:
        return "?"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _login_alert(user: User, *, account_key: str, failures: int, client_address: str) -> None:
    """Tell the owner their account is being guessed at: once per window, after commit."""
    window = _policy("LOGIN_FAILURES_PER_ACCOUNT_WINDOW")
    if ratelimit.hit("login-alert:" + account_key, limit=10**9, window=window) != 1:
        return
    log.warning("login failures alert account_no=%s failures=%d", user.account_no, failures)
    _security_email(
        user=user,
        template="accounts/email/login_failures",
        context={
            "failures": str(failures),
            "minutes": str(max(1, window // 60)),
            "network": _address_hint(client_address),
            "reset_link": settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset"),
        },
    )


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    raw = "cbt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=_token_hash(raw), expires_at=timezone.now() + settings.API_TOKEN_TTL
    )
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return raw, token


def api_token_authenticate(raw: str) -> tuple[User, ApiToken] | None:
    if not raw or len(raw) > 128:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if (
        token is None
        or not token.user.is_active
        or token.user.status in (AccountStatus.SUSPENDED, AccountStatus.CLOSED)
    ):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_tokens_revoke_all(*, user: User, except_token_id: int | None = None) -> int:
    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if except_token_id is not None:
        qs = qs.exclude(pk=except_token_id)
    return qs.update(revoked_at=timezone.now())


# --- Passwords ---------------------------------------------------------------------------------


def _set_password(user: User, new_password: str, *, field: str = "new_password") -> None:
    if not new_password:
        raise _field_error("password_required", field)
    messages = _password_errors(new_password, user)
    if messages:
        raise DomainError("password_invalid", messages[0], errors={field: messages})
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])


def password_change(*, user: User, old_password: str, new_password: str, keep_token_id: int | None = None) -> None:
    """Change the password; every other session (Django's session hash) and token dies."""
    ratelimit.hit("password-change:" + ratelimit.hashed(str(user.pk)), limit=10, window=900)
    if not user.check_password(old_password or ""):
        raise DomainError("invalid_password", _("The current password is incorrect."), field="old_password")
    if old_password == new_password:
        raise DomainError(
            "password_unchanged", _("The new password must differ from the current one."), field="new_password"
        )
    with transaction.atomic():
        _set_password(user, new_password)
        api_tokens_revoke_all(user=user, except_token_id=keep_token_id)


def password_set_initial(*, user: User, new_password: str, keep_token_id: int | None = None) -> None:
    """For accounts flagged ``must_change_password`` (initial password from an institution)."""
    if user.check_password(new_password or ""):
        raise DomainError(
            "password_unchanged", _("The new password must differ from the initial one."), field="new_password"
        )
    with transaction.atomic():
        _set_password(user, new_password)
        api_tokens_revoke_all(user=user, except_token_id=keep_token_id)


def password_reset_request(*, email: str, client_address: str = "") -> None:
    """Email a reset link if an account has this address; the same answer whether or not."""
    try:
        email_norm = normalise_email(email)
    except ContactError as exc:
        raise contact_error(exc, field="email") from exc
    ratelimit.hit("password-reset-ip:" + ratelimit.hashed(client_address), limit=20, window=3600)
    ratelimit.hit(
        "password-reset:" + ratelimit.hashed(email_norm.lower()),
        limit=_policy("PASSWORD_RESETS_PER_HOUR"),
        window=3600,
        message=_("A reset email was sent recently. Check your inbox (and spam folder) or try again later."),
    )
    user = User.objects.filter(email__iexact=email_norm, is_active=True).exclude(status=AccountStatus.CLOSED).first()
    if user is not None:
        user_id, lang = user.pk, user.preferred_language or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: tasks.send_account_email.enqueue(user_id, "password_reset", lang))


def password_reset_confirm(*, token: str, new_password: str) -> User:
    user = tokens.read_token(token, tokens.PASSWORD_RESET)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, new_password)
        api_tokens_revoke_all(user=user)
    return user


# --- Staff-side helpers used by other contexts ---------------------------------------------------


def user_mark_verified(*, user: User, at: datetime | None = None) -> None:
    User.objects.filter(pk=user.pk, status=AccountStatus.ACTIVATED).update(
        status=AccountStatus.VERIFIED, verified_at=at or timezone.now()
    )
    user.refresh_from_db(fields=["status", "verified_at"])


def user_mark_unverified(*, user: User) -> None:
    """Back to activated (a staff reset of an approved verification)."""
    User.objects.filter(pk=user.pk, status=AccountStatus.VERIFIED).update(
        status=AccountStatus.ACTIVATED, verified_at=None
    )
    user.refresh_from_db(fields=["status", "verified_at"])


def user_reveal_pii(*, user: User) -> dict[str, str]:
    """The full ID number and phone. Callers must audit the access (see identity.services)."""
    c = cipher()
    return {
        "id_number": c.decrypt(user.id_number_enc, context=ID_CONTEXT) if user.id_number_enc else "",
        "phone": c.decrypt(user.phone_enc, context=PHONE_CONTEXT) if user.phone_enc else "",
    }


def password_fingerprint(password: str) -> str:
    """A keyed hash of a password, to compare two request bodies without keeping the password."""
    return ratelimit.hashed("idempotency-password", password or "")


UPLOADS_SPENT = _(
    "You have uploaded many files in the last hour. Try again %(when)s with the files you still need to send."
)


def uploads_allow(*, user: User, files: int) -> None:
    """Count ``files`` uploads against the account's hourly allowance (UPLOADS_PER_ACCOUNT_PER_HOUR),
    shared by every upload path. Call it before any file is read or decoded: past the allowance
    the request is refused (rate_limited, with the time) and none of its files is counted."""
    key = "uploads:" + ratelimit.hashed(str(user.pk))
    counted = 0
    try:
        for _file in range(files):
            ratelimit.hit(key, limit=_policy("UPLOADS_PER_ACCOUNT_PER_HOUR"), window=3600)
            counted += 1
    except RateLimited as exc:
        for _file in range(counted + 1):  # this request's files, including the refused one
            ratelimit.release(key, window=3600)
        raise ratelimit.refusal(UPLOADS_SPENT, retry_after=exc.retry_after) from exc


def _security_email(*, user: User, template: str, context: dict[str, str]) -> None:
    """Email the owner about their account's security after the current transaction commits.
    Nobody opts out of these (other emails go through the notifications context)."""
    user_id, lang = user.pk, user.preferred_language or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: tasks.send_plain_email.enqueue(user_id, template, lang, context))
