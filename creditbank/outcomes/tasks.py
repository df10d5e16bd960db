"""Background work of the outcomes context."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_outcomes() -> int:
    from creditbank.outcomes.services import outcomes_expire

    return outcomes_expire()
