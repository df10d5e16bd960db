"""The credit account and its ledger entries.

``LedgerEntry`` is append-only: the database refuses UPDATE and DELETE (a trigger, migration
0002), and ``save()`` refuses to rewrite a stored row; corrections are reversing entries.
``CreditAccount`` is the projection of its entries (balances, the last seq and hash), written
only by ``services.ledger_post`` in the same transaction as the entry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from creditbank.ledger.domain.canonical import GENESIS
from creditbank.ledger.domain.postings import Kind, SubAccount

KIND_CHOICES = [(k.value, k.value) for k in Kind]
SUB_ACCOUNT_CHOICES = [(a.value, a.value) for a in SubAccount]


class CreditAccount(models.Model):
    """A learner's credit account: the projection of its ledger entries (available and frozen
    credits, credits by outcome type, the last entry's seq and hash). No PII: balances and a link
    to the owner's account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_account")
    available = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    frozen = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    #: outcome type → decimal string, the credits held of that type (available and frozen)
    by_type = models.JSONField(default=dict, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        permissions = [("view_credit_account", "Can view any learner's credit account")]
        constraints = [
            models.CheckConstraint(condition=models.Q(available__gte=0), name="ledger_account_available_not_negative"),
            models.CheckConstraint(condition=models.Q(frozen__gte=0), name="ledger_account_frozen_not_negative"),
        ]

    def __str__(self) -> str:
        return f"credit account {self.pk}"


class LedgerEntry(models.Model):
    """One transfer of credits between sub-accounts of a credit account (double entry: ``amount``
    moves from ``debit`` to ``credit``), numbered ``seq`` without gaps per account and chained by
    hash (``prev_hash`` is the previous entry's ``hash``; the canonical form is in
    ``domain.canonical``). Append-only. Outcomes and applications are referred to by id only.
    No PII."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    debit = models.CharField(max_length=16, choices=SUB_ACCOUNT_CHOICES)
    credit = models.CharField(max_length=16, choices=SUB_ACCOUNT_CHOICES)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    outcome_type = models.CharField(max_length=32, blank=True, default="")
    outcome_id = models.PositiveBigIntegerField(null=True, blank=True)
    application_id = models.PositiveBigIntegerField(null=True, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    #: the entry's index in the transparency log, once it is logged
    log_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["account_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["account", "seq"], name="ledger_entry_account_seq_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_entry_amount_positive"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_entry_seq_from_one"),
            models.CheckConstraint(condition=~models.Q(debit=models.F("credit")), name="ledger_entry_two_sides"),
        ]
        indexes = [models.Index(fields=["account", "kind", "created_at"], name="ledger_entry_kind_time")]

    def __str__(self) -> str:
        return f"entry {self.account_id}/{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("ledger entries are append-only: post a reversal instead")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("ledger entries are append-only: post a reversal instead")
