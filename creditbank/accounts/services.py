"""Writes of the accounts context: registration, activation, login, tokens, passwords."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from creditbank.accounts import tasks, tokens
from creditbank.accounts.domain import account_numbers
from creditbank.accounts.domain.contacts import ContactError, normalise_email, normalise_phone
from creditbank.accounts.domain.names import InvalidName, clean_name
from creditbank.accounts.models import AccountStatus, ApiToken, IssuedAccountNumber, User
from creditbank.accounts.selectors import (
    ID_CONTEXT,
    PHONE_CONTEXT,
    user_find_by_identifier,
    users_matching,
)
from creditbank.identity.domain.regions import RegionMatch
from creditbank.identity.id_numbers import id_number_parse
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.masking import mask_id_number, mask_phone
from creditbank.kernel.pii import cipher, indexer, open_field

log = logging.getLogger(__name__)

FIELD_MESSAGES: dict[str, Any] = {
    "name_required": _("Enter your name as it appears on your ID card."),
    "name_too_long": _("A name has at most 64 characters."),
    "name_invalid_characters": _(
        "A name may contain letters (Chinese or Latin), spaces and the middle dot (·) only: no digits, "
        "symbols or invisible characters."
    ),
    "phone_required": _("Enter your mobile phone number."),
    "phone_invalid": _("Enter a mainland China mobile number: 11 digits starting with 1, for example 13812345678."),
    "email_required": _("Enter your email address."),
    "email_invalid": _("Enter a valid email address, for example name@example.com."),
    "terms_not_accepted": _("You must read and accept the terms of service to register."),
    "terms_version_mismatch": _("The terms of service have changed. Read the current version and accept it."),
    "password_required": _("Enter a password."),
}

GENERIC_LOGIN_ERROR = _("The account or password is incorrect.")
_DUMMY_HASH: list[str] = []


def _policy(key: str) -> Any:
    return settings.CREDITBANK_POLICY[key]


def _field_error(code: str, field: str) -> DomainError:
    return DomainError(code, FIELD_MESSAGES[code], field=field)


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
    ratelimit.hit(
        "register:" + ratelimit.hashed(client_address),
        limit=_policy("REGISTRATIONS_PER_ADDRESS_PER_HOUR"),
        window=3600,
    )
    errors: list[DomainError] = []

    try:
        clean = clean_name(name)
    except InvalidName as exc:
        errors.append(_field_error(exc.code, "name"))
        clean = ""
    parsed = None
    try:
        parsed = id_number_parse(id_number, field="id_number")
    except DomainError as exc:
        errors.append(exc)
    try:
        phone_e164 = normalise_phone(phone)
    except ContactError as exc:
        errors.append(_field_error(exc.code, "phone"))
        phone_e164 = ""
    try:
        email_norm = normalise_email(email)
    except ContactError as exc:
        errors.append(_field_error(exc.code, "email"))
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
        raise DomainError.combine(errors)

    assert parsed is not None
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
        raise _field_error(exc.code, "email") from exc
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


def auth_login(*, identifier: str, password: str, client_address: str = "") -> User:
    """Check credentials, throttled per client address and per account.

    An unknown identifier costs the same password hashing and gets the same answer as a wrong
    password. Raises ``invalid_credentials`` (400), ``rate_limited`` (429) or
    ``account_inactive`` (403, suspended or closed, only after a correct password).
    """
    ip_key = "login-ip:" + ratelimit.hashed(client_address)
    ip_limit, ip_window = _policy("LOGIN_ATTEMPTS_PER_ADDRESS"), _policy("LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW")
    # failed logins per client address (a school behind one address logs in successfully in numbers)
    ratelimit.check(ip_key, limit=ip_limit, window=ip_window)
    identifier = (identifier or "").strip()[:254]
    account_key = "login-account:" + ratelimit.hashed(identifier.lower())
    user = user_find_by_identifier(identifier) if identifier else None
    if user is not None:
        account_key = "login-account:" + ratelimit.hashed(str(user.pk))
    window = _policy("LOGIN_FAILURES_PER_ACCOUNT_WINDOW")
    # counted atomically BEFORE the password is checked, so a parallel burst cannot pass the limit;
    # a success clears it, so the count is in effect the failures
    ratelimit.hit(account_key, limit=_policy("LOGIN_FAILURES_PER_ACCOUNT"), window=window)

    password = password or ""
    if user is None:
        check_password(password, _dummy_hash())
        ok = False
    else:
        ok = user.check_password(password)
    if not ok:
        ratelimit.hit(ip_key, limit=10**9, window=ip_window)
        raise DomainError("invalid_credentials", GENERIC_LOGIN_ERROR, errors={"__all__": [GENERIC_LOGIN_ERROR]})
    assert user is not None
    ratelimit.clear(account_key, window=window)
    if user.status in (AccountStatus.SUSPENDED, AccountStatus.CLOSED) or not user.is_active:
        raise DomainError("account_inactive", _("This account is suspended or closed. Contact support."), status=403)
    return user


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
        raise _field_error(exc.code, "email") from exc
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


_SEALED_FIELDS = {"id_number": ("id_number_enc", ID_CONTEXT), "phone": ("phone_enc", PHONE_CONTEXT)}


def user_reveal_pii(*, user: User, fields: tuple[str, ...] = ("id_number", "phone")) -> dict[str, str]:
    """The full values of ``fields`` (``id_number``, ``phone``), and only those are decrypted.

    Callers must audit the access (see identity.services). A damaged ciphertext raises
    ``record_damaged`` (500) and alerts the operators (see ``kernel.pii.open_field``).
    """
    out = {}
    for name in fields:
        attribute, context = _SEALED_FIELDS[name]
        out[name] = open_field(getattr(user, attribute), context=context, record=f"accounts.user:{user.pk}", field=name)
    return out


def users_reencrypt_pii(*, batch_size: int = 200) -> int:
    """Re-encrypt under the active key and rebuild blind indexes, in small locked batches."""
    c, ix = cipher(), indexer()
    changed = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(User.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")[:batch_size])
            if not batch:
                return changed
            for user in batch:
                last_pk = user.pk
                fields: list[str] = []
                if user.id_number_enc:
                    value = c.decrypt(user.id_number_enc, context=ID_CONTEXT)
                    new_index = ix.index(value, context=ID_CONTEXT)
                    if c.key_id_of(user.id_number_enc) != c.keyring.active or user.id_number_index != new_index:
                        user.id_number_enc = c.encrypt(value, context=ID_CONTEXT)
                        user.id_number_index = new_index
                        fields += ["id_number_enc", "id_number_index"]
                if user.phone_enc:
                    value = c.decrypt(user.phone_enc, context=PHONE_CONTEXT)
                    new_index = ix.index(value, context=PHONE_CONTEXT)
                    if c.key_id_of(user.phone_enc) != c.keyring.active or user.phone_index != new_index:
                        user.phone_enc = c.encrypt(value, context=PHONE_CONTEXT)
                        user.phone_index = new_index
                        fields += ["phone_enc", "phone_index"]
                if fields:
                    user.save(update_fields=fields)
                    changed += 1


def password_fingerprint(password: str) -> str:
    """A keyed hash of a password, to compare two request bodies without keeping the password."""
    return ratelimit.hashed("idempotency-password", password or "")


def user_notify(*, user: User, template: str, context: dict[str, str]) -> None:
    """Email the user a templated notification after the current transaction commits."""
    user_id, lang = user.pk, user.preferred_language or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: tasks.send_plain_email.enqueue(user_id, template, lang, context))
