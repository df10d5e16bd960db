"""One notification service: decisions honour the person's preference, whichever context decides."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from creditbank.accounts.models import AccountStatus
from creditbank.identity import services as identity_services
from creditbank.notifications.models import NotificationPreference
from creditbank.notifications.selectors import preferences_of, users_wanting_notice_emails
from creditbank.notifications.services import Topic, notify, preferences_set
from tests.factories import VerificationAttemptFactory


def _decide_verification(user, reviewer, commit, decision: str = "approve") -> None:  # type: ignore[no-untyped-def]
    attempt = VerificationAttemptFactory(user=user)
    mail.outbox.clear()
    with commit():
        identity_services.verification_decide(
            reviewer=reviewer, attempt_id=attempt.pk, decision=decision, reason_code="photo_unclear"
        )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_verification_decision_honours_the_opt_out(make_learner, reviewer, commit, decision) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.ACTIVATED)
    preferences_set(user=user, email_decisions=False)
    _decide_verification(user, reviewer, commit, decision)
    assert mail.outbox == []


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_verification_decision_is_emailed_by_default(make_learner, reviewer, commit, decision) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.ACTIVATED)
    _decide_verification(user, reviewer, commit, decision)
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_support_and_required_messages_ignore_the_opt_out(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.ACTIVATED)
    preferences_set(user=user, email_decisions=False, email_notices=False)
    mail.outbox.clear()
    with commit():
        assert notify(user=user, topic=Topic.DECISION, template="identity/email/approved", context={}) is False
        assert notify(
            user=user, topic=Topic.DECISION, template="identity/email/approved", context={}, required=True
        ) is True  # fmt: skip
        assert notify(user=user, topic=Topic.SUPPORT, template="identity/email/approved", context={}) is True
    assert len(mail.outbox) == 2


def test_preferences_default_and_change(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.ACTIVATED)
    assert preferences_of(user).email_decisions is True
    assert preferences_of(user).email_notices is False
    assert user not in users_wanting_notice_emails()
    preferences_set(user=user, email_notices=True)
    assert preferences_of(user).email_notices is True
    assert preferences_of(user).email_decisions is True  # untouched
    assert list(users_wanting_notice_emails()) == [user]
    with pytest.raises(TypeError):
        preferences_set(user=user, email_notices="yes")  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_profile_preferences(make_learner) -> None:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    before = [("profiles", "0002_change_request_proof_filename"), ("notifications", None)]
    after = [("profiles", "0003_email_preferences_moved_to_notifications")]
    opted_out = make_learner(AccountStatus.ACTIVATED)
    keen = make_learner(AccountStatus.ACTIVATED)
    default = make_learner(AccountStatus.ACTIVATED)
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state([before[0]]).apps
        Profile = old_apps.get_model("profiles", "Profile")  # noqa: N806
        for user, decisions, notices in ((opted_out, False, False), (keen, True, True), (default, True, False)):
            Profile.objects.create(user_id=user.pk, notify_email_decisions=decisions, notify_email_notices=notices)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    rows = {p.user_id: (p.email_decisions, p.email_notices) for p in NotificationPreference.objects.all()}
    assert rows == {opted_out.pk: (False, False), keen.pk: (True, True)}
    assert preferences_of(default).email_decisions is True
