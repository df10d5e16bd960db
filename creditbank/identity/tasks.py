"""Background work of real-name verification."""

from __future__ import annotations

from django_tasks import task


@task()
def run_precheck(attempt_id: int) -> None:
    from creditbank.identity.services import verification_precheck

    verification_precheck(attempt_id=attempt_id)


@task()
def purge_attempt_photos(attempt_id: int) -> None:
    from creditbank.identity.services import verification_purge_photos

    verification_purge_photos(attempt_id=attempt_id)
