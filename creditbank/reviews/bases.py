"""The shape every reviewed request shares: an abstract model other contexts subclass (each owns its table).

Public by design: this module holds no concrete model, so the reviews context has no table of its own.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creditbank.reviews.domain.workflow import Status


class ReviewStatus(models.TextChoices):
    PENDING = Status.PENDING.value, _("Pending review")
    APPROVED = Status.APPROVED.value, _("Approved")
    REJECTED = Status.REJECTED.value, _("Rejected")
    WITHDRAWN = Status.WITHDRAWN.value, _("Withdrawn")
    RESET = Status.RESET.value, _("Reset by staff")


class ReviewedRequest(models.Model):
    """A request a person decides: pending, then approved / rejected, or withdrawn by its author.

    Abstract. The concrete model adds its ``user`` (the requester), what is asked, and its
    constraints (``one_pending_constraint``). PII: the reviewer's note may describe the person's
    documents; the concrete model's docstring lists the rest.
    """

    #: The kind's name in the review registry, audit actions and decision snapshots.
    review_kind: ClassVar[str] = ""

    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reason_code = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True, max_length=1000)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    @staticmethod
    def one_pending_constraint(*fields: str, name: str) -> models.UniqueConstraint:
        """At most one pending request per value of ``fields`` (for example per user)."""
        return models.UniqueConstraint(fields=list(fields), condition=Q(status=ReviewStatus.PENDING), name=name)

    @staticmethod
    def status_constraint(*statuses: Any, name: str) -> models.CheckConstraint:
        return models.CheckConstraint(condition=Q(status__in=[str(s) for s in statuses]), name=name)
