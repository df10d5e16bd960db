"""While the automatic checks run, the verification page says so and updates itself."""

from __future__ import annotations

from django.test import Client
from django.utils import translation

from conftest import back_upload, front_upload
from creditbank.identity import services as identity_services
from creditbank.identity.models import VerificationAttempt

RUNNING = "The automatic checks are running. This page updates itself when they finish."


def tr(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_the_page_says_the_checks_are_running_and_polls_until_they_finish(make_learner) -> None:  # type: ignore[no-untyped-def]
    learner = make_learner()
    client = Client()
    client.force_login(learner)
    # No commit here: the pre-check task (enqueued after commit) has not run yet.
    response = client.post(
        "/verification/", {"consent": "on", "id_front": front_upload(learner), "id_back": back_upload(learner)}
    )
    assert response.status_code == 302
    attempt = VerificationAttempt.objects.get(user=learner)
    assert attempt.checks_completed_at is None
    page = client.get("/verification/").content.decode()
    assert tr(RUNNING) in page
    assert 'data-precheck-poll="/api/v1/me/verification"' in page
    assert '<script src="/static/js/precheck.js" defer></script>' in page
    identity_services.verification_precheck(attempt_id=attempt.pk)
    done = client.get("/verification/").content.decode()
    assert tr(RUNNING) not in done
    assert "precheck.js" not in done
    assert 'data-testid="checks"' in done
