"""``run_import``: run or resume outcome imports (after a worker was stopped, for example)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from creditbank.outcomes.models import ImportJob, ImportStatus
from creditbank.outcomes.services.imports import CHUNK_ROWS, import_run


class Command(BaseCommand):
    help = (
        "Run an outcome import job to its end, resuming from its cursor: the rows already deposited are "
        "not read again. With --unfinished, every job still queued or running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_ids", nargs="*", type=int, help="the jobs to run")
        parser.add_argument("--unfinished", action="store_true", help="every queued or running job, oldest first")
        parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS, help="rows per transaction")

    def handle(self, *args: Any, job_ids: list[int], unfinished: bool, chunk_rows: int, **options: Any) -> None:
        if unfinished:
            job_ids = [
                *job_ids,
                *ImportJob.objects.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
                .order_by("created_at", "id")
                .values_list("id", flat=True),
            ]
        if not job_ids and not unfinished:
            raise CommandError("name a job id, or give --unfinished")
        for job_id in job_ids:
            if not ImportJob.objects.filter(pk=job_id).exists():
                raise CommandError(f"no import job {job_id}")
            job = import_run(job_id=job_id, chunk_rows=chunk_rows)
            self.stdout.write(
                f"import {job.pk}: {job.status}, {job.processed_rows} rows: {job.accepted} accepted, "
                f"{job.duplicates} duplicates, {job.errors} errors"
            )
