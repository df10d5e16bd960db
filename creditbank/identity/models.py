from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creditbank.reviews.bases import ReviewedRequest, ReviewStatus

#: A verification runs every state of the review workflow (reset: staff undid an approval).
VerificationStatus = ReviewStatus


class VerificationSource(models.TextChoices):
    """Where the identity comes from: the learner's own ID card photos, or an institution that
    opened the account and vouches for who its student is (when the deployment's policy says so)."""

    LEARNER = "learner", _("ID card photos")
    INSTITUTION = "institution", _("Vouched for by an institution")


class VerificationAttempt(ReviewedRequest):
    """One submission of real-name verification (实名认证).

    PII: the ID card photos (encrypted files in the private vault, named by ``front_blob`` and
    ``back_blob``, deleted after the retention period), the declared name (copied at
    submission), photo hashes (perceptual and SHA-256, kept after deletion to detect reuse; the
    portrait hash also as ``PortraitHashBand`` rows for the indexed look-up), the results of the
    automatic checks (masked values only) and the reviewer's note. An attempt an institution
    vouched for (``source`` institution) has no photos: it names the institution by its code.
    """

    review_kind = "verification"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_attempts")
    declared_name = models.CharField(max_length=64)
    declared_gender = models.CharField(max_length=1, blank=True)
    consent_at = models.DateTimeField()
    consent_version = models.CharField(max_length=32)

    front_blob = models.CharField(max_length=64, blank=True)
    back_blob = models.CharField(max_length=64, blank=True)
    front_dhash = models.CharField(max_length=16, blank=True, db_index=True)
    back_dhash = models.CharField(max_length=16, blank=True, db_index=True)
    front_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    back_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    portrait_hash = models.CharField(
        max_length=36, blank=True, help_text="perceptual hash of the portrait on the front (identity.photo_reuse)"
    )
    photos_deleted_at = models.DateTimeField(null=True, blank=True)

    checks = models.JSONField(default=list, blank=True)
    checks_completed_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=100, blank=True)

    auto_decided = models.BooleanField(default=False)
    source = models.CharField(max_length=16, choices=VerificationSource.choices, default=VerificationSource.LEARNER)
    #: the code of the institution that vouched (``source`` institution), else empty
    source_institution = models.CharField(max_length=32, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="withdrawn or reset by the learner")

    class Meta(ReviewedRequest.Meta):
        permissions = [("review_verification", "Can review real-name verifications")]
        constraints = [
            ReviewedRequest.one_pending_constraint("user", name="identity_one_pending_attempt_per_user"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="approved"), name="identity_one_approved_attempt_per_user"
            ),
            ReviewedRequest.status_constraint(*VerificationStatus.values, name="identity_attempt_status_valid"),
            models.CheckConstraint(
                condition=Q(source=VerificationSource.LEARNER, source_institution="")
                | Q(source=VerificationSource.INSTITUTION, source_institution__gt=""),
                name="identity_attempt_source_named",
            ),
        ]

    def __str__(self) -> str:
        return f"verification #{self.pk} ({self.status})"


class PortraitHashBand(models.Model):
    """One band of an attempt's portrait hash, so that the photo-reuse look-up is an index search
    (multi-index hashing, see ``creditbank/identity/photo_reuse.py``) rather than a scan.

    PII: derived from the ID photo (18 bits of a perceptual hash; the photo cannot be recovered
    from it). Kept as long as the attempt, like its other hashes.
    """

    attempt = models.ForeignKey(VerificationAttempt, on_delete=models.CASCADE, related_name="portrait_bands")
    band = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "band"], name="identity_portrait_band_once"),
            models.CheckConstraint(
                condition=Q(band__lt=8) & Q(value__lt=1 << 18), name="identity_portrait_band_in_range"
            ),
        ]
        indexes = [models.Index(fields=["band", "value"], name="identity_portrait_band_value")]

    def __str__(self) -> str:
        return f"attempt #{self.attempt_id} band {self.band}"
