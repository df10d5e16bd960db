"""Conversion rules (转换规则): versions of rules as data, and the index the pathway view and
the public search use to find rules by source code and outcome type."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creditbank.reviews.bases import ReviewedRequest, ReviewStatus


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ConversionRule(models.Model):
    """One version of a conversion rule of a target institution: which learning outcomes its
    programme (and, where it exempts one, a course) recognises, what it grants, its caps and
    validity. ``series`` names the rule across versions (``<institution>:<code>``); ``definition``
    holds the canonical form of ``domain.rule.RuleVersion`` (criteria, grants, caps) and ``hash``
    the SHA-256 of the whole version's canonical bytes, fixed when it is published. A published
    version never changes (services refuse it; a trigger refuses it in the database): an edit is
    a new version that supersedes it from its ``valid_from``. No PII."""

    series = models.CharField(max_length=140)
    code = models.CharField(_("rule code"), max_length=64)
    version = models.PositiveIntegerField(default=1)
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="+")
    programme_code = models.CharField(_("programme code"), max_length=64)
    course_code = models.CharField(_("course code"), max_length=64, blank=True)
    definition = models.JSONField()
    requires_review = models.BooleanField(_("needs review by a person"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    hash = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["series", "-version"]
        verbose_name = _("conversion rule")
        verbose_name_plural = _("conversion rules")
        permissions = [("publish_rule", "Can author and publish any institution's conversion rules")]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="rules_rule_version_once"),
            models.UniqueConstraint(fields=["series"], condition=Q(status="draft"), name="rules_rule_one_draft"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(hash__regex=r"^[0-9a-f]{64}$"), name="rules_rule_hashed"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name="rules_rule_window"
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "programme_code", "status"], name="rules_rule_target"),
            models.Index(fields=["status", "valid_from"], name="rules_rule_status"),
        ]

    def __str__(self) -> str:
        return f"{self.series} v{self.version}"


class RuleSourceKey(models.Model):
    """What a rule version can accept, as look-up keys (``code:<code>``, ``type:<type>``, or
    ``any`` for a requirement naming neither): a learner's outcomes find the rules that might
    accept them through this index instead of trying every rule. Written with the version;
    derived data, rebuilt from ``definition``. No PII."""

    rule = models.ForeignKey(ConversionRule, on_delete=models.CASCADE, related_name="source_keys")
    key = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="rules_source_key_once")]
        indexes = [models.Index(fields=["key", "rule"], name="rules_source_key_lookup")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.key}"


class ConversionStatus(models.TextChoices):
    """The review workflow's states a conversion application can be in (``pending_review``
    on the wire for ``pending``, ../shared/API.md)."""

    PENDING = ReviewStatus.PENDING.value, ReviewStatus.PENDING.label
    APPROVED = ReviewStatus.APPROVED.value, ReviewStatus.APPROVED.label
    REJECTED = ReviewStatus.REJECTED.value, ReviewStatus.REJECTED.label
    WITHDRAWN = ReviewStatus.WITHDRAWN.value, ReviewStatus.WITHDRAWN.label


class ConversionApplication(ReviewedRequest):
    """A learner's application to convert certified outcomes by a rule (学分转换), with the
    decision snapshot that makes it reproducible (invariant 7): the rule version and its hash,
    the canonical inputs (the rule, the outcomes' facts, the prior conversions, the day, the
    reuse policy) and their hash, the evaluator's decision and its hash. Approved at once when
    the rule needs no review; else pending in the target institution's queue. PII: which
    outcomes a person holds and what they were granted; the reviewer's note."""

    review_kind = "conversion"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(ConversionRule, on_delete=models.PROTECT, related_name="applications")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="+")
    programme_code = models.CharField(max_length=64)
    outcome_ids = models.JSONField(default=list)
    issuers = models.JSONField(default=list)
    #: [outcome id, type, credits] of each consumed outcome whose credits the conversion moves
    holdings = models.JSONField(default=list)
    credits = models.DecimalField(max_digits=7, decimal_places=2)
    decided_on = models.DateField()
    rule_hash = models.CharField(max_length=64)
    inputs = models.TextField()
    inputs_hash = models.CharField(max_length=64)
    decision = models.JSONField()
    decision_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=ConversionStatus.choices, default=ConversionStatus.PENDING)
    #: set when a source outcome was revoked: the conversion waits for the target institution's
    #: review, with the reversing entries it would post (``proposed``); never applied silently
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.CharField(max_length=500, blank=True)
    proposed = models.JSONField(default=list, blank=True)
    #: "reversed" or "kept", by whom and when
    flag_resolution = models.CharField(max_length=16, blank=True)
    flag_resolved_at = models.DateTimeField(null=True, blank=True)
    flag_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(ReviewedRequest.Meta):
        permissions = [("review_conversion", "Can review any institution's conversion applications")]
        constraints = [
            ReviewedRequest.status_constraint(*ConversionStatus.values, name="rules_application_status_valid"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="rules_application_credits_positive"),
        ]
        indexes = [
            models.Index(fields=["institution", "status", "created_at"], name="rules_application_queue"),
            models.Index(fields=["user", "status"], name="rules_application_learner"),
        ]

    def __str__(self) -> str:
        return f"conversion application #{self.pk}"
