from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creditbank.reviews.bases import ReviewedRequest, ReviewStatus


class EducationLevel(models.TextChoices):
    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational (中职)")
    HIGH_SCHOOL = "high_school", _("High school")
    JUNIOR_COLLEGE = "junior_college", _("Junior college (专科)")
    BACHELOR = "bachelor", _("Bachelor (本科)")
    MASTER = "master", _("Master (硕士)")
    DOCTORATE = "doctorate", _("Doctorate (博士)")
    OTHER = "other", _("Other")


class StudyMode(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    DISTANCE = "distance", _("Distance")


class Profile(models.Model):
    """The editable part of a learner's record.

    PII: postal address, occupation, emergency contact name, the emergency contact's phone
    (encrypted + masked). (Email preferences are the notifications context's.)
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    address = models.CharField(max_length=200, blank=True)
    education_level = models.CharField(max_length=32, choices=EducationLevel.choices, blank=True)
    occupation = models.CharField(max_length=100, blank=True)
    emergency_contact_name = models.CharField(max_length=64, blank=True)
    emergency_contact_phone_enc = models.TextField(blank=True)
    emergency_contact_phone_masked = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class ProfileChangeStatus(models.TextChoices):
    """The review workflow's states a change request can be in (reviews.domain.workflow)."""

    PENDING = ReviewStatus.PENDING.value, ReviewStatus.PENDING.label
    APPROVED = ReviewStatus.APPROVED.value, ReviewStatus.APPROVED.label
    REJECTED = ReviewStatus.REJECTED.value, ReviewStatus.REJECTED.label
    WITHDRAWN = ReviewStatus.WITHDRAWN.value, ReviewStatus.WITHDRAWN.label


class ChangeKind(models.TextChoices):
    LOCKED = "locked", _("Locked field (with proof)")
    REVIEWED = "reviewed", _("Field that needs review")


class ChangeRequest(ReviewedRequest):
    """A change that staff review before it applies: a locked field (name, gender, ID number)
    with proof files, or an editable field the deployment's policy sends to review.

    PII: the requested new value (encrypted; masked copy for display), the old value (masked),
    the reason, the reviewer's note, and the proof files (encrypted in the private vault).
    """

    review_kind = "change_request"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices, default=ChangeKind.LOCKED)
    field = models.CharField(max_length=32)
    new_value_enc = models.TextField()
    new_value_masked = models.CharField(max_length=200)
    old_value_masked = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    #: A change request is never reset (that is verification's); the workflow's other states.
    status = models.CharField(max_length=16, choices=ProfileChangeStatus.choices, default=ProfileChangeStatus.PENDING)

    class Meta(ReviewedRequest.Meta):
        permissions = [("review_change_request", "Can review profile change requests")]
        constraints = [
            ReviewedRequest.one_pending_constraint("user", "field", name="profiles_one_open_request_per_field"),
            ReviewedRequest.status_constraint(*ProfileChangeStatus.values, name="profiles_change_request_status_valid"),
        ]

    def __str__(self) -> str:
        return f"change request #{self.pk} ({self.field})"


class ChangeRequestProof(models.Model):
    """One proof file of a change request. PII: the file (encrypted in the vault)."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="proofs")
    blob = models.CharField(max_length=64)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=255, blank=True, default="")

    def __str__(self) -> str:
        return f"proof #{self.pk}"


class ProfileHistory(models.Model):
    """Every change to the profile: masked old and new values, who, when, on what evidence.

    PII: masked values only.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_history")
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    source = models.CharField(max_length=32)  # self, review, change_request
    evidence = models.CharField(max_length=64, blank=True)  # e.g. "change_request:12"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "profile history"

    def __str__(self) -> str:
        return f"{self.field} changed"


class HistoryEntry(models.Model):
    """Shared columns of education and work entries (abstract)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    evidence_blob = models.CharField(max_length=64, blank=True)
    evidence_content_type = models.CharField(max_length=64, blank=True)
    #: Set when an institution or staff confirmed the entry ("institution:CODE" / "staff:ID").
    verified_by = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class EducationEntry(HistoryEntry):
    """A learner-declared period of education. PII: schools, majors, certificate number, evidence."""

    school = models.CharField(max_length=100)
    major = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=32, choices=EducationLevel.choices)
    study_mode = models.CharField(max_length=16, choices=StudyMode.choices)
    certificate_no = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="profiles_edu_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} ({self.start:%Y-%m})"


class WorkEntry(HistoryEntry):
    """A learner-declared period of work. PII: employers, positions, descriptions, evidence."""

    employer = models.CharField(max_length=100)
    position = models.CharField(max_length=100)
    industry = models.CharField(max_length=100, blank=True)
    current = models.BooleanField(default=False)
    description = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="profiles_work_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer} ({self.start:%Y-%m})"


class ContactChange(models.Model):
    """A new email or phone waiting for its owner to confirm it (link or SMS code).

    PII: the new address or number (encrypted; masked copy). The secret is stored hashed.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    new_value_enc = models.TextField()
    new_value_masked = models.CharField(max_length=254)
    secret_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} change #{self.pk}"
