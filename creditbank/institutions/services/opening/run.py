"""Bulk account opening, the run (the background task): the rows in small resumable transactions,
the end of the run, stalled runs started again."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation

from creditbank.audit.services import audit_record
from creditbank.institutions import tasks
from creditbank.institutions.models import (
    AccountOpening,
    AccountOpeningRow,
    OpeningStatus,
)
from creditbank.institutions.personal_data import INITIAL_PASSWORD_CONTEXT
from creditbank.institutions.services.opening.rows import client_suffix, first_rows, process
from creditbank.institutions.services.opening.upload import on_behalf, rows_of
from creditbank.kernel.pii import cipher
from creditbank.kernel.policy import policy

log = logging.getLogger(__name__)

#: Rows per transaction of the run: a stopped worker loses at most this much work.
CHUNK = 25
#: A queued or running opening that has not moved for this long is started again.
STALLED_AFTER = timedelta(minutes=10)


def _claim(opening_id: int) -> AccountOpening | None:
    with transaction.atomic():
        opening = AccountOpening.objects.select_for_update().filter(pk=opening_id).first()
        if opening is None or opening.finished:
            return None
        if opening.status == OpeningStatus.QUEUED:
            opening.status = OpeningStatus.RUNNING
            opening.started_at = timezone.now()
            opening.save(update_fields=["status", "started_at", "updated_at"])
    return opening


def account_opening_run(*, opening_id: int) -> AccountOpening | None:
    """Work through an opening's rows (the background task). Safe to run again at any point: rows
    already reported are skipped, and each chunk of rows commits with its accounts."""
    opening = _claim(opening_id)
    if opening is None:
        return None
    try:
        with translation.override(opening.language):
            _run(opening)
    except Exception:
        log.exception("account opening %s stopped by an error", opening_id)
        _finish(opening_id, OpeningStatus.FAILED)
        raise
    return _finish(opening_id, OpeningStatus.DONE)


def _run(opening: AccountOpening) -> None:
    rows = rows_of(opening)
    first = first_rows(rows)
    done = set(AccountOpeningRow.objects.filter(opening=opening).values_list("number", flat=True))
    pending = [row for row in rows if row.number not in done]
    for start in range(0, len(pending), CHUNK):
        with transaction.atomic():
            locked = (
                AccountOpening.objects.select_for_update(of=("self",))
                .select_related("institution", "client")
                .get(pk=opening.pk)
            )
            if locked.finished:
                return
            chunk = pending[start : start + CHUNK]
            reported = set(  # by a run of the same opening that overlapped this one
                AccountOpeningRow.objects.filter(opening=locked, number__in=[r.number for r in chunk]).values_list(
                    "number", flat=True
                )
            )
            for row in chunk:
                if row.number in reported:
                    continue
                outcome = process(locked, row, first)
                AccountOpeningRow.objects.create(
                    opening=locked, number=row.number, status=outcome.status, code=outcome.code,
                    field=outcome.field, messages=outcome.messages(), user=outcome.user,
                    initial_password_enc=(
                        cipher().encrypt(outcome.password, context=INITIAL_PASSWORD_CONTEXT) if outcome.password else ""
                    ),
                )  # fmt: skip
                counter = {"created": "created", "linked": "linked"}.get(str(outcome.status), "errors")
                setattr(locked, counter, getattr(locked, counter) + 1)
                locked.rows_done += 1
            locked.save(update_fields=["created", "linked", "errors", "rows_done", "updated_at"])


def _finish(opening_id: int, status: str) -> AccountOpening:
    with transaction.atomic():
        opening = (
            AccountOpening.objects.select_for_update(of=("self",)).select_related("institution").get(pk=opening_id)
        )
        if opening.finished:
            return opening
        now = timezone.now()
        opening.status = status
        opening.finished_at = now
        opening.result_expires_at = now + timedelta(hours=policy().account_opening_result_hours)
        opening.save(update_fields=["status", "finished_at", "result_expires_at", "updated_at"])
        expires = opening.result_expires_at
        transaction.on_commit(lambda: _schedule_purge(expires))
        audit_record(
            actor=opening.created_by, action="institution.accounts_opened", object_type="account_opening",
            object_id=opening.pk,
            reason=(
                f"{on_behalf(opening.institution, None)}{client_suffix(opening)} status:{status} "
                f"created:{opening.created} linked:{opening.linked} errors:{opening.errors}"
            ),
        )  # fmt: skip
    log.info(
        "account opening %s %s: created=%s linked=%s errors=%s",
        opening.pk, status, opening.created, opening.linked, opening.errors,
    )  # fmt: skip
    return opening


def _schedule_purge(at: datetime) -> None:
    try:
        tasks.purge_account_opening_results.using(run_after=at + timedelta(seconds=1)).enqueue()
    except Exception:  # the immediate and dummy backends refuse run_after; the daily command covers it
        log.debug("result purge not scheduled for %s; purge_account_openings will", at)


def account_openings_resume(*, now: datetime | None = None) -> list[int]:
    """Queue again every opening left queued or running without progress for ``STALLED_AFTER``
    (its worker stopped); the run picks up at its first unreported row."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    stalled = list(
        AccountOpening.objects.filter(
            status__in=[OpeningStatus.QUEUED, OpeningStatus.RUNNING], updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for opening_id in stalled:
        tasks.run_account_opening.enqueue(opening_id)
    return stalled
