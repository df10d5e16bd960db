from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered (email not confirmed)")
    ACTIVATED = "activated", _("Activated (real-name verification needed)")
    VERIFIED = "verified", _("Verified")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, account_no: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(account_no=account_no, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, account_no: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("status", AccountStatus.ACTIVATED)
        return self.create_user(account_no, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a credit bank account (learner or staff).

    PII: name, email, ``id_number_enc`` and ``phone_enc`` (AES-256-GCM ciphertexts; keys are
    not in the database), their blind indexes (HMAC, not reversible), the masked forms, and the
    derived birth date and gender.
    """

    account_no = models.CharField(_("account number"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    #: empty only for an account an institution opened without one (``user_open``)
    email = models.CharField(_("email"), max_length=254, blank=True)
    id_number_enc = models.TextField(blank=True, default="")
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    id_number_masked = models.CharField(max_length=32, blank=True, default="")
    phone_enc = models.TextField(blank=True, default="")
    phone_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    phone_masked = models.CharField(max_length=16, blank=True, default="")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    region_code = models.CharField(max_length=6, blank=True)
    #: The ID number's 6-digit region code is unknown inside a known province: shown to reviewers.
    region_flagged = models.BooleanField(default=False)

    status = models.CharField(max_length=16, choices=AccountStatus.choices, default=AccountStatus.REGISTERED)
    must_change_password = models.BooleanField(default=False)
    terms_version = models.CharField(max_length=32, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    preferred_language = models.CharField(max_length=8, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "account_no"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name", "email"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_ci_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in AccountStatus]),
                name="accounts_user_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.account_no

    @property
    def is_verified(self) -> bool:
        return self.status == AccountStatus.VERIFIED


class IssuedAccountNumber(models.Model):
    """Every account number ever issued, kept for ever so that none is reused. No PII."""

    number = models.CharField(max_length=12, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number


class ApiToken(models.Model):
    """A bearer token for the API: only its SHA-256 is stored. No PII."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"token #{self.pk}"
