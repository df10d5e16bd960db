"""Background work of the institutions context (run by the task worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_account_opening(opening_id: int) -> None:
    """Open the accounts of an uploaded file of students (safe to run again: it resumes)."""
    from creditbank.institutions.services import account_opening_run

    account_opening_run(opening_id=opening_id)
