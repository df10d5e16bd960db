"""Institutions (schools, training bodies, certificate issuers, employers, bank branches), the
accounts that work for them, and their API clients."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: a SHA-256 written in lower-case hexadecimal (the stored form of secrets and tokens)
SHA256_HEX = r"^[0-9a-f]{64}$"
#: What an API client may be allowed to do (OAuth scopes, space-separated in a token request).
SCOPES = ("outcomes:write", "imports:write", "accounts:write", "outcomes:read")


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    VOCATIONAL_COLLEGE = "vocational_college", _("Vocational college")
    TRAINING_BODY = "training_body", _("Training body")
    CERTIFICATE_ISSUER = "certificate_issuer", _("Certificate issuer")
    EMPLOYER = "employer", _("Employer")
    BANK_BRANCH = "bank_branch", _("Credit bank branch")


class Institution(models.Model):
    """An institution the bank works with, known by its stable ``code``: an organisation's
    public registration details. No PII."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=InstitutionKind.choices)
    #: GB/T 2260 administrative division (six digits)
    region = models.CharField(_("region code"), max_length=6)
    #: 统一社会信用代码 (GB 32100-2015), when the institution has one
    uscc = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        permissions = [("manage_institution", "Can onboard institutions and manage their staff and clients")]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$"), name="institutions_code_shape"
            ),
            models.CheckConstraint(condition=Q(region__regex=r"^[0-9]{6}$"), name="institutions_region_shape"),
            models.CheckConstraint(
                condition=Q(uscc__isnull=True) | Q(uscc__regex=r"^[0-9A-HJ-NP-RTUWXY]{18}$"),
                name="institutions_uscc_shape",
            ),
            models.CheckConstraint(condition=Q(name_zh__gt=""), name="institutions_name_zh_present"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name_zh


class MemberRole(models.TextChoices):
    ISSUER = "issuer", _("Issuer")
    REVIEWER = "reviewer", _("Reviewer")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """That an account holds a role at an institution. PII: which person works for which
    institution, in which role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["institution_id", "role", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "role"], name="institutions_membership_once"),
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="institutions_membership_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} at {self.institution_id}"


class ApiClient(models.Model):
    """An institution's system calling the API with client credentials. No PII: a public
    ``client_id``, SHA-256 hashes of the secrets (never a secret), the scopes granted.

    Rotation keeps the previous secret's hash until ``previous_secret_expires_at``, so the
    institution's systems can change over; revocation ends the client and its tokens at once.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(_("name"), max_length=100)
    client_id = models.CharField(_("client ID"), max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    previous_secret_hash = models.CharField(max_length=64, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    #: the granted scopes, space-separated and sorted (as OAuth writes them)
    scopes = models.CharField(_("scopes"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["institution_id", "-created_at", "-id"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        constraints = [
            models.CheckConstraint(condition=Q(secret_hash__regex=SHA256_HEX), name="institutions_client_hash"),
            models.CheckConstraint(
                condition=Q(previous_secret_hash="", previous_secret_expires_at__isnull=True)
                | (Q(previous_secret_hash__regex=SHA256_HEX) & Q(previous_secret_expires_at__isnull=False)),
                name="institutions_client_previous_secret",
            ),
            models.CheckConstraint(condition=Q(scopes__gt=""), name="institutions_client_scopes"),
        ]

    def __str__(self) -> str:
        return self.client_id

    def scope_list(self) -> list[str]:
        return self.scopes.split()


class ApiClientToken(models.Model):
    """A bearer token issued to an API client (client-credentials grant): its SHA-256, the
    scopes it carries and when it expires. No PII."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(token_hash__regex=SHA256_HEX), name="institutions_token_hash")
        ]

    def __str__(self) -> str:
        return f"token of {self.client_id}"


class ApiClientCall(models.Model):
    """One API call made with a client's token: which client of which institution called which
    endpoint, and the answer's status. Append-only (the database refuses UPDATE and DELETE).
    The path is kept without its query string. No PII."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="calls")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API client call")
        verbose_name_plural = _("API client calls")

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class Enrolment(models.Model):
    """That an institution holds an account as its student (学籍关联): made when the institution
    opens the account or links an existing one from a file of its students. PII: which person
    studies at which institution, the student number the institution gave, and whether the
    name it gave matched the account's (kept for the bank's staff; never told to the institution).
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    student_no = models.CharField(_("student number"), max_length=32, blank=True)
    #: the institution opened the account (True) or linked one that existed (False)
    opened = models.BooleanField(default=False)
    name_matched = models.BooleanField(default=True)
    opening = models.ForeignKey(
        "AccountOpening", on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution_id", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["institution", "user"], name="institutions_enrolment_once")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.institution_id}"


class OpeningStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Opening accounts")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped by an error")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class AccountOpening(models.Model):
    """One file of students an institution uploaded to open their accounts (批量开户), worked
    through by a background task, and its counts.

    PII: the file's rows (names, ID numbers, phones, emails, student numbers) as an encrypted
    file in the private vault (``source_blob``) from the upload until the result file is
    downloaded or expires; the uploader. The result file is never stored: it is made at its one
    download from that file and the rows' sealed initial passwords (``AccountOpeningRow``).
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="account_openings")
    #: who uploaded: a person (an administrator, or bank staff) or the institution's API client
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    file_format = models.CharField(max_length=8, choices=FileFormat.choices)
    #: the uploader's language: the report's messages and the result file's headers are in it
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=OpeningStatus.choices, default=OpeningStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    #: whether created accounts are verified on the institution's word (the policy at upload time)
    vouched = models.BooleanField(default=False)
    source_blob = models.CharField(max_length=64, blank=True)
    result_expires_at = models.DateTimeField(null=True, blank=True)
    result_downloaded_at = models.DateTimeField(null=True, blank=True)
    result_purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    #: the last progress (a stalled run is queued again: ``resume_account_openings``)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account opening")
        verbose_name_plural = _("account openings")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OpeningStatus.values), name="institutions_opening_status"),
            models.CheckConstraint(
                condition=Q(file_format__in=FileFormat.values), name="institutions_opening_file_format"
            ),
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total"))
                & Q(rows_done=models.F("created") + models.F("linked") + models.F("errors")),
                name="institutions_opening_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"account opening #{self.pk} of {self.institution_id}"

    @property
    def finished(self) -> bool:
        return self.status in (OpeningStatus.DONE, OpeningStatus.FAILED)

    @property
    def progress_percent(self) -> int:
        return 100 if not self.rows_total else int(100 * self.rows_done / self.rows_total)


class RowStatus(models.TextChoices):
    CREATED = "created", _("Account opened")
    LINKED = "linked", _("Linked")
    ERROR = "error", _("Not opened")


class AccountOpeningRow(models.Model):
    """The report of one row of an account opening: created, linked or refused with a code and a
    message. PII: the account it touched (never shown to the institution for a linked row) and,
    for an account opened, its initial password sealed (AES-256-GCM) until the result file is
    downloaded once or expires; the code and message hold no personal values.
    """

    opening = models.ForeignKey(AccountOpening, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=RowStatus.choices)
    code = models.CharField(max_length=40, blank=True)
    field = models.CharField(max_length=16, blank=True)
    #: the message in each of the site's languages (``{"zh-hans": …, "en": …}``)
    messages = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    initial_password_enc = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["opening_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["opening", "number"], name="institutions_opening_row_once"),
            models.CheckConstraint(condition=Q(status__in=RowStatus.values), name="institutions_opening_row_status"),
            models.CheckConstraint(
                condition=Q(status="error", code__gt="") | (~Q(status="error") & Q(code="")),
                name="institutions_opening_row_code",
            ),
            models.CheckConstraint(
                condition=Q(initial_password_enc="") | Q(status="created"),
                name="institutions_opening_row_password_created_only",
            ),
        ]

    def __str__(self) -> str:
        return f"row {self.number} {self.status}"

    def message_in(self, language: str | None) -> str:
        """The message in ``language`` (or its base language), else in the site's language."""
        if not self.messages:
            return ""
        for candidate in (language or "", (language or "").split("-")[0], settings.LANGUAGE_CODE):
            if candidate in self.messages:
                return str(self.messages[candidate])
        return str(next(iter(self.messages.values())))

    @property
    def message(self) -> str:
        """The message in the active language (pages and the API)."""
        return self.message_in(get_language())


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


#: a programme's or a course's code, as the database checks it (``domain.programmes``)
PROGRAMME_CODE_SHAPE = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$"


class Programme(models.Model):
    """A programme of study (专业) an institution publishes, with the credits it requires to
    graduate; conversion rules target it, and may exempt one of its courses. A draft is seen only
    by the institution's administrators; a retired programme is kept (rules and conversions refer
    to it) but no longer listed or changed. The code never changes once published. No PII."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="programmes")
    code = models.CharField(_("programme code"), max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    #: qualification framework level (1–10), when the institution states one
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    #: the credits required to graduate
    total_credits = models.DecimalField(_("total credits"), max_digits=7, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution_id", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="institutions_programme_code_once"),
            models.CheckConstraint(condition=Q(code__regex=PROGRAMME_CODE_SHAPE), name="institutions_programme_code"),
            models.CheckConstraint(condition=Q(name_zh__gt=""), name="institutions_programme_name_zh_present"),
            models.CheckConstraint(condition=Q(total_credits__gt=0), name="institutions_programme_credits_positive"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=10), name="institutions_programme_level"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgrammeStatus.values), name="institutions_programme_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}:{self.code} {self.name_zh}"

    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name_zh


class Course(models.Model):
    """A course of a programme (课程), with its credits: what a conversion rule may exempt
    (免修). An inactive course is kept for the rules that name it but no longer offered. No PII."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="courses")
    code = models.CharField(_("course code"), max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    credits = models.DecimalField(_("credits"), max_digits=6, decimal_places=2)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["programme_id", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="institutions_course_code_once"),
            models.CheckConstraint(condition=Q(code__regex=PROGRAMME_CODE_SHAPE), name="institutions_course_code"),
            models.CheckConstraint(condition=Q(name_zh__gt=""), name="institutions_course_name_zh_present"),
            models.CheckConstraint(
                condition=Q(credits__gt=0, credits__lte=300), name="institutions_course_credits_range"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=10), name="institutions_course_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name_zh
