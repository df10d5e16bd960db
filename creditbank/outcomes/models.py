"""Learning outcomes, their evidence, certification standards and certification applications.

Institutions are referred to by foreign key to the institutions context's table (read through
its selectors); the ledger entry that deposited an outcome's credits by id only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from creditbank.outcomes.domain.fields import OutcomeType as DomainType
from creditbank.outcomes.domain.fields import Scheme
from creditbank.reviews.bases import ReviewedRequest, ReviewStatus


class OutcomeType(models.TextChoices):
    ACADEMIC_CREDIT = DomainType.ACADEMIC_CREDIT.value, _("Academic credit")
    VOCATIONAL_CERTIFICATE = DomainType.VOCATIONAL_CERTIFICATE.value, _("Vocational certificate")
    NON_FORMAL = DomainType.NON_FORMAL.value, _("Non-formal learning")
    MOOC = DomainType.MOOC.value, _("Online course (MOOC)")
    WORK_EXPERIENCE = DomainType.WORK_EXPERIENCE.value, _("Work experience")
    AWARD = DomainType.AWARD.value, _("Award")


class ResultScheme(models.TextChoices):
    PERCENTAGE = Scheme.PERCENTAGE.value, _("Percentage (0–100)")
    FIVE_LEVEL = Scheme.FIVE_LEVEL.value, _("Five levels (优/良/中/及格/不及格)")
    PASS_FAIL = Scheme.PASS_FAIL.value, _("Pass / fail")
    GPA4 = Scheme.GPA4.value, _("GPA (4.0)")


class OutcomeStatus(models.TextChoices):
    DRAFT = "draft", _("Not yet submitted")
    PENDING = "pending", _("Waiting for certification")
    CERTIFIED = "certified", _("Certified")
    REJECTED = "rejected", _("Not certified")
    REVOKED = "revoked", _("Revoked")


class OutcomeSource(models.TextChoices):
    SELF_REPORTED = "self_reported", _("Reported by the learner")
    INSTITUTION = "institution", _("Deposited by the institution")
    CONVERSION = "conversion", _("Granted by conversion")


class Outcome(models.Model):
    """One learning outcome of a person: a course's credits, a certificate, training, a MOOC,
    work experience or an award, self-reported or deposited by an institution.

    PII: what the person learned and achieved (title, result, dates), linked to their account;
    the institution's ``external_id`` for the record.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outcomes")
    type = models.CharField(_("type"), max_length=32, choices=OutcomeType.choices)
    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("course or certificate code"), max_length=64, blank=True)
    #: the issuing institution when it is a member of the bank (always for deposits)
    issuer_institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the issuer's name as the learner declared it (self-reports of non-member issuers)
    issuer_name = models.CharField(_("issuer"), max_length=200, blank=True)
    achieved_on = models.DateField(_("date achieved"))
    credits = models.DecimalField(_("credits"), max_digits=7, decimal_places=2)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, null=True, blank=True)
    result_scheme = models.CharField(max_length=16, choices=ResultScheme.choices, blank=True)
    result_value = models.CharField(max_length=16, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=OutcomeStatus.choices, default=OutcomeStatus.DRAFT)
    source = models.CharField(max_length=16, choices=OutcomeSource.choices, default=OutcomeSource.SELF_REPORTED)
    external_id = models.CharField(max_length=64, blank=True)
    #: the credits the bank certified (the ledger's deposit), once certified
    certified_credits = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    standard = models.ForeignKey(
        "outcomes.CertificationStandard", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the ledger entry that deposited the credits, and the one that took them back (by id)
    deposit_entry_id = models.PositiveBigIntegerField(null=True, blank=True)
    closing_entry_id = models.PositiveBigIntegerField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=500, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-achieved_on", "-id"]
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_institution", "external_id"],
                condition=Q(source="institution"),
                name="outcomes_deposit_once_per_external_id",
            ),
            models.CheckConstraint(condition=Q(status__in=OutcomeStatus.values), name="outcomes_status_valid"),
            models.CheckConstraint(condition=Q(type__in=OutcomeType.values), name="outcomes_type_valid"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="outcomes_credits_positive"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=10), name="outcomes_level_1_10"
            ),
            models.CheckConstraint(
                condition=~Q(source="institution") | (Q(issuer_institution__isnull=False) & ~Q(external_id="")),
                name="outcomes_deposit_names_institution_and_id",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["certified", "revoked"])
                | (Q(certified_credits__gt=0) & Q(deposit_entry_id__isnull=False)),
                name="outcomes_certified_has_credits_and_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="outcomes_user_status"),
            models.Index(fields=["status", "expires_on"], name="outcomes_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"outcome #{self.pk} ({self.type})"

    @property
    def issuer(self) -> str:
        """The API's ``issuer``: the institution's code, or the declared name."""
        return self.issuer_institution.code if self.issuer_institution is not None else self.issuer_name

    def result(self) -> dict[str, str] | None:
        return {"scheme": self.result_scheme, "value": self.result_value} if self.result_scheme else None


class OutcomeEvidence(models.Model):
    """One evidence file of a self-reported outcome (a certificate, a transcript). PII: the file
    (encrypted in the private vault) and its name."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="evidence")
    blob = models.CharField(max_length=64)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"evidence #{self.pk}"


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CertificationStandard(models.Model):
    """One version of a certification standard (学习成果认证标准): for an outcome type and code,
    the credits certification grants, the level, the evidence required and how long a certified
    outcome stays valid. ``series`` names the standard across versions; a published version
    never changes (services refuse it; the next version supersedes it from its ``valid_from``).
    No PII."""

    series = models.CharField(max_length=140)
    version = models.PositiveIntegerField(default=1)
    #: the institution that publishes it; None: the bank itself
    owner = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, null=True, blank=True)
    outcome_type = models.CharField(_("outcome type"), max_length=32, choices=OutcomeType.choices)
    code = models.CharField(_("course or certificate code"), max_length=64)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    credits = models.DecimalField(_("credits"), max_digits=7, decimal_places=2)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    evidence_zh = models.TextField(_("evidence required (Chinese)"), max_length=1000, blank=True)
    evidence_en = models.TextField(_("evidence required (English)"), max_length=1000, blank=True)
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    status = models.CharField(max_length=16, choices=StandardStatus.choices, default=StandardStatus.DRAFT)
    hash = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["series", "-version"]
        verbose_name = _("certification standard")
        verbose_name_plural = _("certification standards")
        permissions = [("publish_standard", "Can publish the bank's certification standards")]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="outcomes_standard_version_once"),
            models.UniqueConstraint(fields=["series"], condition=Q(status="draft"), name="outcomes_standard_one_draft"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="outcomes_standard_credits_positive"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(hash__regex=r"^[0-9a-f]{64}$"), name="outcomes_standard_hashed"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=10), name="outcomes_standard_level"
            ),
        ]
        indexes = [models.Index(fields=["outcome_type", "code", "status"], name="outcomes_standard_lookup")]

    def __str__(self) -> str:
        return f"{self.series} v{self.version}"

    def title(self) -> str:
        return self.title_en if (get_language() or "").startswith("en") and self.title_en else self.title_zh

    def evidence(self) -> str:
        return self.evidence_en if (get_language() or "").startswith("en") and self.evidence_en else self.evidence_zh


class CertificationStatus(models.TextChoices):
    """The review workflow's states a certification application can be in."""

    PENDING = ReviewStatus.PENDING.value, ReviewStatus.PENDING.label
    APPROVED = ReviewStatus.APPROVED.value, ReviewStatus.APPROVED.label
    REJECTED = ReviewStatus.REJECTED.value, ReviewStatus.REJECTED.label
    WITHDRAWN = ReviewStatus.WITHDRAWN.value, ReviewStatus.WITHDRAWN.label


class CertificationApplication(ReviewedRequest):
    """A learner's application to certify one self-reported outcome (成果认证), decided by the
    reviewers of the issuing institution (``routed_to``) or, when the issuer is not a member of
    the bank, by the bank's staff. PII: the reviewer's note and the credits granted to a person."""

    review_kind = "certification"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="applications")
    routed_to = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standard = models.ForeignKey(CertificationStandard, on_delete=models.PROTECT, null=True, blank=True)
    credits_granted = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    adjust_reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=CertificationStatus.choices, default=CertificationStatus.PENDING)

    class Meta(ReviewedRequest.Meta):
        permissions = [("review_certification", "Can review certification applications routed to the bank")]
        constraints = [
            ReviewedRequest.one_pending_constraint("outcome", name="outcomes_one_open_application"),
            ReviewedRequest.status_constraint(*CertificationStatus.values, name="outcomes_application_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(credits_granted__gt=0), name="outcomes_approved_grants_credits"
            ),
        ]
        indexes = [models.Index(fields=["routed_to", "status", "created_at"], name="outcomes_application_queue")]

    def __str__(self) -> str:
        return f"certification application #{self.pk}"


# --- outcome imports (a file of outcome rows, deposited by a background job) ----------------------


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped: the file could not be read")


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ImportJob(models.Model):
    """An institution's file of outcome rows (CSV or XLSX) and its progress: a background job
    deposits the rows chunk by chunk, each chunk with its report rows and the job's cursor in one
    transaction (``processed_rows`` counts the rows reported; ``cursor`` the file's rows read).

    PII: the uploaded file (it holds learners' ID numbers; encrypted in the private vault as
    :class:`ImportFileChunk` rows until the job ends), its name, and who uploaded it.
    """

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the institution's API client that uploaded it (its ``client_id``), when not a person
    client_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    format = models.CharField(max_length=8, choices=ImportFormat.choices)
    encoding = models.CharField(max_length=16, blank=True)  # CSV: utf-8 or gb18030
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    #: the random id in every chunk's authenticated header (kernel.vault_chunks)
    file_id = models.BinaryField(max_length=16)
    #: data rows in the file (CSV: counted on upload; XLSX: as its sheet declares, then counted)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    cursor = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outcome import")
        verbose_name_plural = _("outcome imports")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="outcomes_import_status_valid"),
            models.CheckConstraint(
                condition=Q(processed_rows=models.F("accepted") + models.F("duplicates") + models.F("errors")),
                name="outcomes_import_counts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(created_by__isnull=False) | ~Q(client_id=""), name="outcomes_import_has_uploader"
            ),
        ]
        indexes = [models.Index(fields=["institution", "created_at"], name="outcomes_import_by_institution")]

    def __str__(self) -> str:
        return f"import #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportFileChunk(models.Model):
    """One encrypted chunk (at most 1 MiB) of an import's file in the private vault, deleted when
    the job ends. PII: the vault file holds part of the uploaded rows (ID numbers among them)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    blob = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="outcomes_import_chunk_once")]

    def __str__(self) -> str:
        return f"import #{self.job_id} chunk {self.index}"


class ImportRowStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Deposited")
    DUPLICATE = "duplicate", _("Deposited before")
    ERROR = "error", _("Not deposited")


class ImportRow(models.Model):
    """The report of one row of an import: deposited (with its outcome), a duplicate of an
    outcome deposited before, or refused with the code, field and message (in both languages)
    the JSON deposit gives. ``row`` is the row's number in the file as a spreadsheet shows it (the
    header is row 1). PII: the institution's identifier of a learner's record, linked to the
    outcome."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()
    external_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=ImportRowStatus.choices)
    code = models.CharField(max_length=64, blank=True)
    field = models.CharField(max_length=64, blank=True)
    message_zh = models.CharField(max_length=500, blank=True)
    message_en = models.CharField(max_length=500, blank=True)
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="outcomes_import_row_once"),
            models.CheckConstraint(condition=Q(status__in=ImportRowStatus.values), name="outcomes_import_row_status"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(outcome__isnull=False), name="outcomes_import_accepted_has_outcome"
            ),
            models.CheckConstraint(condition=~Q(status="error") | ~Q(code=""), name="outcomes_import_error_has_code"),
        ]
        indexes = [models.Index(fields=["job", "status", "row"], name="outcomes_import_row_status_idx")]

    def __str__(self) -> str:
        return f"import #{self.job_id} row {self.row} ({self.status})"

    def message(self) -> str:
        return self.message_en if (get_language() or "").startswith("en") and self.message_en else self.message_zh
