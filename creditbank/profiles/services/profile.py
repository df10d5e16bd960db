"""Profile edits: editable fields (some may need review), email and phone changes."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.errors import ErrorCode as AccountsCode
from creditbank.accounts.models import User
from creditbank.accounts.selectors import PHONE_CONTEXT
from creditbank.accounts.services import (
    email_clean,
    name_clean,
    phone_clean,
    user_set_email,
    user_set_language,
    user_set_phone,
)
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.masking import mask_email, mask_phone
from creditbank.kernel.pii import cipher, seal
from creditbank.kernel.policy import policy
from creditbank.kernel.text import clean_text
from creditbank.notifications.selectors import preferences_of
from creditbank.notifications.services import Topic, notify, preferences_set
from creditbank.profiles.errors import ErrorCode
from creditbank.profiles.models import (
    ChangeKind,
    ChangeRequest,
    ContactChange,
    EducationLevel,
    Profile,
    ProfileChangeStatus,
    ProfileHistory,
)
from creditbank.profiles.personal_data import (
    CONTACT_CHANGE_CONTEXTS,
    EMERGENCY_PHONE_CONTEXT,
    REVIEWED_VALUE_CONTEXT,
)

log = logging.getLogger(__name__)

LOCKED_FIELDS = ("account_no", "name", "gender", "id_number")
EDITABLE_FIELDS = (
    "address",
    "education_level",
    "occupation",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_language",
    "notify_email_decisions",
    "notify_email_notices",
)
CONTACT_FIELDS = ("email", "phone")
PHONE_CODE_TTL = timedelta(minutes=10)
EMAIL_LINK_TTL = timedelta(hours=24)
PHONE_CODE_ATTEMPTS = 5


def profile_get(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def _locked(field: str) -> DomainError:
    return DomainError(
        ErrorCode.FIELD_LOCKED,
        _(
            "Your account number, name, gender and ID number cannot be edited here. To correct your name, gender "
            "or ID number, submit a change request with proof (POST /api/v1/me/change-requests, or the "
            "'Request a change' page); staff review it."
        ),
        field=field,
        extra={"next_step": "change_request"},
    )


def _clean_value(field: str, value: Any) -> Any:
    """The stored form of one editable field, or a DomainError naming it."""
    if field == "address":
        return clean_text(value, field=field, max_length=200)
    if field == "occupation":
        return clean_text(value, field=field, max_length=100)
    if field == "education_level":
        text = "" if value is None else str(value)
        if text and text not in EducationLevel.values:
            raise DomainError(
                KernelCode.CHOICE_INVALID,
                _("Choose one of the listed levels."),
                field=field,
                extra={"allowed": EducationLevel.values},
            )
        return text
    if field == "emergency_contact_name":
        return name_clean(str(value), field=field) if value else ""
    if field == "emergency_contact_phone":
        return phone_clean(str(value), field=field) if value else ""
    if field == "preferred_language":
        if value not in {code for code, _name in settings.LANGUAGES}:
            raise DomainError(KernelCode.CHOICE_INVALID, _("Choose 简体中文 (zh-hans) or English (en)."), field=field)
        return value
    if field in ("notify_email_decisions", "notify_email_notices"):
        if not isinstance(value, bool):
            raise DomainError(KernelCode.BOOLEAN_REQUIRED, _("Use true or false."), field=field)
        return value
    raise DomainError(KernelCode.UNKNOWN_FIELD, _("This field does not exist or cannot be changed."), field=field)


#: Profile fields that are the person's notification preferences (kept by the notifications context).
NOTIFICATION_FIELDS = {"notify_email_decisions": "email_decisions", "notify_email_notices": "email_notices"}


def _current(user: User, profile: Profile, field: str) -> Any:
    if field in NOTIFICATION_FIELDS:
        return getattr(preferences_of(user), NOTIFICATION_FIELDS[field])
    if field == "preferred_language":
        return user.preferred_language
    if field == "emergency_contact_phone":
        return (
            cipher().decrypt(profile.emergency_contact_phone_enc, context=EMERGENCY_PHONE_CONTEXT)
            if profile.emergency_contact_phone_enc
            else ""
        )
    return getattr(profile, field)


def display_value(field: str, value: Any) -> str:
    """The masked form shown in history and to reviewers."""
    if field in ("emergency_contact_phone", "phone"):
        return mask_phone(str(value)) if value else ""
    if field == "email":
        return mask_email(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value or "")


def apply_field(*, user: User, profile: Profile, field: str, value: Any) -> None:
    """Write one cleaned editable value (used directly, and when a review approves it)."""
    if field == "preferred_language":
        user_set_language(user=user, language=value)
        return
    if field in NOTIFICATION_FIELDS:
        preferences_set(user=user, **{NOTIFICATION_FIELDS[field]: value})
        return
    if field == "emergency_contact_phone":
        sealed = seal(value, context=EMERGENCY_PHONE_CONTEXT, index=False, mask=mask_phone)
        profile.emergency_contact_phone_enc = sealed.ciphertext
        profile.emergency_contact_phone_masked = sealed.masked
    else:
        setattr(profile, field, value)
    profile.save()


def history_record(
    *, user: User, field: str, old: str, new: str, actor: User | None, source: str, evidence: str = ""
) -> None:
    ProfileHistory.objects.create(
        user=user, field=field, old_value=old[:200], new_value=new[:200], actor=actor, source=source, evidence=evidence
    )


def profile_update(*, user: User, changes: dict[str, Any], password: str | None = None) -> dict[str, list[str]]:
    """Apply editable fields at once (all or nothing); start email/phone confirmation; queue
    policy-reviewed fields. Returns {"applied": [...], "pending_review": [...], "pending_confirmation": [...]}."""
    errors: list[DomainError] = []
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        try:
            if field in LOCKED_FIELDS:
                raise _locked(field)
            if field in CONTACT_FIELDS:
                cleaned[field] = _clean_contact(user, field, value)
            else:
                cleaned[field] = _clean_value(field, value)
        except DomainError as exc:
            errors.append(exc)
    if any(f in cleaned for f in CONTACT_FIELDS) and not errors:
        if not password:
            errors.append(
                DomainError(
                    AccountsCode.PASSWORD_REQUIRED,
                    _("Enter your password to change your email or phone."),
                    field="password",
                )
            )
        else:
            # counted before the check, so a correct guess is refused too once the limit is reached
            ratelimit.hit("reauth:" + ratelimit.hashed(str(user.pk)), limit=5, window=900)
            if not user.check_password(password):
                errors.append(
                    DomainError(AccountsCode.INVALID_PASSWORD, _("The password is incorrect."), field="password")
                )
            else:
                ratelimit.clear("reauth:" + ratelimit.hashed(str(user.pk)), window=900)
    if errors:
        raise DomainError.combine(errors)

    result: dict[str, list[str]] = {"applied": [], "pending_review": [], "pending_confirmation": []}
    reviewed = set(policy().profile_fields_requiring_review)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        profile = profile_get(user)
        for field, value in cleaned.items():
            if field in CONTACT_FIELDS:
                _start_contact_change(user, field, value)
                result["pending_confirmation"].append(field)
                continue
            old = _current(user, profile, field)
            if old == value:
                continue
            if field in reviewed:
                _queue_review(user, field, old, value)
                result["pending_review"].append(field)
                continue
            apply_field(user=user, profile=profile, field=field, value=value)
            history_record(
                user=user,
                field=field,
                old=display_value(field, old),
                new=display_value(field, value),
                actor=user,
                source="self",
            )
            result["applied"].append(field)
    return result


def _queue_review(user: User, field: str, old: Any, value: Any) -> None:
    if ChangeRequest.objects.filter(user=user, field=field, status=ProfileChangeStatus.PENDING).exists():
        raise DomainError(
            ErrorCode.CHANGE_PENDING,
            _("A change of this field is already waiting for review. Withdraw it first to change it again."),
            field=field,
            status=409,
        )
    ChangeRequest.objects.create(
        user=user,
        kind=ChangeKind.REVIEWED,
        field=field,
        new_value_enc=cipher().encrypt(json.dumps(value), context=REVIEWED_VALUE_CONTEXT),
        new_value_masked=display_value(field, value),
        old_value_masked=display_value(field, old),
    )


# --- email and phone --------------------------------------------------------------------------


def _clean_contact(user: User, field: str, value: Any) -> str:
    if field == "email":
        new = email_clean(str(value or ""), field=field)
        if new.lower() == user.email.lower():
            raise DomainError(ErrorCode.UNCHANGED, _("This is already your email address."), field=field)
        return new
    new = phone_clean(str(value or ""), field=field)
    if user.phone_enc and cipher().decrypt(user.phone_enc, context=PHONE_CONTEXT) == new:
        raise DomainError(ErrorCode.UNCHANGED, _("This is already your phone number."), field=field)
    return new


def _code_hash(change_id: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{change_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _start_contact_change(user: User, field: str, value: str) -> ContactChange:
    ratelimit.hit(
        f"contact-change:{field}:" + ratelimit.hashed(str(user.pk)),
        limit=5,
        window=3600,
        message=_("Too many change attempts. Try again in an hour."),
    )
    now = timezone.now()
    ContactChange.objects.filter(user=user, kind=field, confirmed_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )
    sealed = seal(
        value, context=CONTACT_CHANGE_CONTEXTS[field], index=False, mask=mask_email if field == "email" else mask_phone
    )
    change = ContactChange.objects.create(
        user=user,
        kind=field,
        new_value_enc=sealed.ciphertext,
        new_value_masked=sealed.masked,
        secret_hash="",
        expires_at=now + (EMAIL_LINK_TTL if field == "email" else PHONE_CODE_TTL),
    )
    if field == "email":
        token = signing.dumps({"c": change.pk, "f": _email_fingerprint(change, user)}, salt="creditbank.email_change")
        link = settings.SITE_URL.rstrip("/") + f"/profile/email/confirm/{token}/"
        transaction.on_commit(lambda: _send_email_link(user.pk, value, link))
        notify(
            user=user,
            topic=Topic.ACCOUNT,
            template="profiles/email/email_change_requested",
            context={"new_email": mask_email(value)},
        )
    else:
        code = f"{secrets.randbelow(10**6):06d}"
        change.secret_hash = _code_hash(change.pk, code)
        change.save(update_fields=["secret_hash"])
        # Sent right after commit, not through the task queue, so the code is never stored in clear.
        transaction.on_commit(lambda: _send_code(value, code))
    return change


def _email_fingerprint(change: ContactChange, user: User) -> str:
    state = f"{change.pk}|{change.created_at.isoformat()}|{user.email.lower()}"
    return hmac.new(settings.SECRET_KEY.encode(), state.encode(), hashlib.sha256).hexdigest()[:24]


def _send_email_link(user_id: int, new_email: str, link: str) -> None:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    user = User.objects.get(pk=user_id)
    ctx = {"user": user, "link": link}
    subject = render_to_string("profiles/email/email_confirm_subject.txt", ctx).strip()
    EmailMessage(subject=subject, body=render_to_string("profiles/email/email_confirm.txt", ctx), to=[new_email]).send()


def _send_code(phone: str, code: str) -> None:
    from django.utils.translation import gettext

    from creditbank.profiles.sms import SmsDeliveryError, sms_backend

    try:
        sms_backend().send(
            phone, gettext("Credit bank confirmation code: %(code)s (valid 10 minutes).") % {"code": code}
        )
    except SmsDeliveryError:
        # The change stays pending; the person asks again (a new code) from the edit page.
        log.exception("SMS delivery failed")


def email_change_confirm(*, token: str) -> User:
    invalid = DomainError(
        AccountsCode.TOKEN_INVALID, _("This link is not valid or has already been used."), field="token"
    )
    try:
        payload = signing.loads(
            (token or "").strip(), salt="creditbank.email_change", max_age=int(EMAIL_LINK_TTL.total_seconds())
        )
    except signing.SignatureExpired as exc:
        raise DomainError(
            AccountsCode.TOKEN_EXPIRED, _("This link has expired. Change your email again."), field="token"
        ) from exc
    except signing.BadSignature as exc:
        raise invalid from exc
    change_id = payload.get("c") if isinstance(payload, dict) else None
    if not isinstance(change_id, int):
        raise invalid
    with transaction.atomic():
        change = (
            ContactChange.objects.select_for_update().select_related("user").filter(pk=change_id, kind="email").first()
        )
        if change is None or change.confirmed_at or change.cancelled_at or change.expires_at < timezone.now():
            raise invalid
        user = User.objects.select_for_update().get(pk=change.user_id)
        if not hmac.compare_digest(str(payload.get("f", "")), _email_fingerprint(change, user)):
            raise invalid
        return _apply_contact(change, user)


def phone_change_confirm(*, user: User, code: str) -> User:
    with transaction.atomic():
        change = (
            ContactChange.objects.select_for_update()
            .filter(user=user, kind="phone", confirmed_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if change is None or change.expires_at < timezone.now():
            raise DomainError(
                ErrorCode.CODE_EXPIRED,
                _("No code is waiting, or it has expired. Change your phone again."),
                field="code",
                status=409,
            )
        if change.attempts >= PHONE_CODE_ATTEMPTS:
            raise DomainError(
                ErrorCode.CODE_ATTEMPTS_EXHAUSTED,
                _("Too many wrong codes. Change your phone again to get a new code."),
                field="code",
                status=429,
            )
        change.attempts += 1
        change.save(update_fields=["attempts"])
        if not hmac.compare_digest(change.secret_hash, _code_hash(change.pk, (code or "").strip())):
            left = PHONE_CODE_ATTEMPTS - change.attempts
            wrong = DomainError(
                ErrorCode.CODE_INVALID,
                _("The code is not correct. %(n)d tries left.") % {"n": left},
                field="code",
                extra={"attempts_left": left},
            )
        else:
            wrong = None
            locked = User.objects.select_for_update().get(pk=user.pk)
            result = _apply_contact(change, locked)
    if wrong is not None:
        raise wrong
    return result


def _apply_contact(change: ContactChange, user: User) -> User:
    field = change.kind
    value = cipher().decrypt(change.new_value_enc, context=CONTACT_CHANGE_CONTEXTS[field])
    old_masked = user.email if field == "email" else user.phone_masked
    old_email = user.email
    try:
        if field == "email":
            user_set_email(user=user, email=value)
        else:
            user_set_phone(user=user, phone=value)
    except DomainError as exc:
        if exc.code == AccountsCode.CONTACT_TAKEN:
            change.cancelled_at = timezone.now()
            change.save(update_fields=["cancelled_at"])
        raise
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    history_record(
        user=user,
        field=field,
        old=display_value(field, old_masked) if field == "email" else old_masked,
        new=display_value(field, value),
        actor=user,
        source="self",
        evidence=f"contact_change:{change.pk}",
    )
    if field == "email" and old_email:  # an account opened by an institution may have had none
        transaction.on_commit(lambda: _tell_old_address(user.pk, old_email))
    return user


def _tell_old_address(user_id: int, old_email: str) -> None:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    user = User.objects.get(pk=user_id)
    ctx = {"user": user, "new_email": mask_email(user.email)}
    subject = render_to_string("profiles/email/email_changed_subject.txt", ctx).strip()
    EmailMessage(subject=subject, body=render_to_string("profiles/email/email_changed.txt", ctx), to=[old_email]).send()


def contact_change_pending(user: User) -> list[ContactChange]:
    return list(
        ContactChange.objects.filter(
            user=user, confirmed_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
        )
    )


def notfound() -> NotFound:
    return NotFound(_("Not found."))
