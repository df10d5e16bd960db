"""The credit account and its ledger entries.

``LedgerEntry`` is append-only: the database refuses UPDATE and DELETE (a trigger, migration
0002), and ``save()`` refuses to rewrite a stored row; corrections are reversing entries.
``CreditAccount`` is the projection of its entries (balances, the last seq and hash), written
only by the posting services in the same transaction as the entries. ``ConversionClaim`` records
which outcome a conversion application uses for which programme; its partial unique constraints
are invariant 2's guard (docs/adr/0027).
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
#: an entry one side of which is a programme sub-account
_PROGRAMME_SIDE = models.Q(debit=SubAccount.PROGRAMME.value) | models.Q(credit=SubAccount.PROGRAMME.value)


class CreditAccount(models.Model):
    """A learner's credit account: the projection of its ledger entries (available and frozen
    credits, credits by outcome type, credits by programme, the last entry's seq and hash). No
    PII: balances and a link to the owner's account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_account")
    available = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    frozen = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    #: outcome type → decimal string, the credits held of that type (available and frozen)
    by_type = models.JSONField(default=dict, blank=True)
    #: programme key → decimal string, the credits held in that programme's sub-account (by
    #: conversion; not part of available, frozen or by_type)
    programmes = models.JSONField(default=dict, blank=True)
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
    #: the programme key of an entry of a programme sub-account (``""`` for every other entry)
    programme = models.CharField(max_length=140, blank=True, default="")
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
            models.CheckConstraint(
                condition=(_PROGRAMME_SIDE & ~models.Q(programme="")) | (~_PROGRAMME_SIDE & models.Q(programme="")),
                name="ledger_entry_programme_iff_programme_side",
            ),
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


class ConversionClaim(models.Model):
    """An outcome used by a conversion application for a programme: taken when the application is
    made (or approved at once), released when it is rejected, withdrawn or its conversion reversed
    (``active`` False, ``released_at`` set; the row stays as the record). While active, no other
    claim holds the same outcome for the same programme, nor, where the deployment's policy lets an
    outcome be used once, for any programme (``exclusive``: the outcome id then, NULL when the
    policy lets several programmes recognise it): two partial unique constraints, so the database
    decides between two conversions racing each other. Outcomes and applications are referred to
    by id only. No PII."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversion_claims")
    outcome_id = models.PositiveBigIntegerField()
    programme = models.CharField(max_length=140)
    application_id = models.PositiveBigIntegerField()
    exclusive = models.PositiveBigIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversion claim")
        verbose_name_plural = _("conversion claims")
        ordering = ["user_id", "programme", "outcome_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome_id", "programme"],
                condition=models.Q(active=True),
                name="ledger_claim_outcome_programme_active",
            ),
            models.UniqueConstraint(
                fields=["exclusive"],
                condition=models.Q(active=True, exclusive__isnull=False),
                name="ledger_claim_outcome_exclusive_active",
            ),
            models.CheckConstraint(
                condition=models.Q(exclusive__isnull=True) | models.Q(exclusive=models.F("outcome_id")),
                name="ledger_claim_exclusive_is_the_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(active=True, released_at__isnull=True)
                | models.Q(active=False, released_at__isnull=False),
                name="ledger_claim_released_when_inactive",
            ),
            models.CheckConstraint(condition=~models.Q(programme=""), name="ledger_claim_names_a_programme"),
        ]
        indexes = [models.Index(fields=["application_id"], name="ledger_claim_application")]

    def __str__(self) -> str:
        return f"claim of outcome {self.outcome_id} for {self.programme}"
