"""Background work of the institutions context (run by the task worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_account_opening(opening_id: int) -> None:
    """Open the accounts of an uploaded file of students (safe to run again: it resumes)."""
    from creditbank.institutions.services import account_opening_run

    account_opening_run(opening_id=opening_id)


@task()
def purge_account_opening_results() -> int:
    """Delete the results nobody fetched in time (scheduled at each result's expiry; the daily
    ``purge_account_openings`` does the same where the task backend cannot schedule)."""
    from creditbank.institutions.services import account_openings_purge

    return account_openings_purge()
