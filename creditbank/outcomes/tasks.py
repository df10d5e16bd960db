"""Background work of the outcomes context."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_outcomes() -> int:
    from creditbank.outcomes.services import outcomes_expire

    return outcomes_expire()


@task()
def run_import(job_id: int) -> None:
    """Run (or resume) an outcome import; `manage.py run_import` does the same by hand."""
    from creditbank.outcomes.services.imports import import_run

    import_run(job_id=job_id)
