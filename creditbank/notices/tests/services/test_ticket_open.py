"""ticket_open: any signed-in account asks support; the ticket opens with its first message and
attachments sealed in the vault. Every invalid field is reported at once; the tickets of a day are
limited; a refusal stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from creditbank.accounts.models import User
from creditbank.kernel.errors import DomainError, RateLimited
from creditbank.kernel.vault import vault
from creditbank.notices.models import Ticket, TicketAttachment, TicketMessage
from creditbank.notices.personal_data import ATTACHMENT_CONTEXT
from creditbank.notices.services import ticket_open
from tests import factories
from tests.vault_files import vault_files


@pytest.fixture
def learner(db: Any) -> User:
    return factories.LearnerFactory()


def open_(user: User, **over: Any) -> Ticket:
    values = {"category": "verification", "subject": " 照片被拒 ", "message": "为什么？\r\n请说明。"}
    return ticket_open(user=user, **(values | over))


def test_opens_a_ticket_with_its_first_message(learner: User) -> None:
    ticket = open_(learner)

    row = Ticket.objects.get(user=learner)
    assert (row.pk, row.category, row.subject, row.status, row.closed_at) == (
        ticket.pk, "verification", "照片被拒", "open", None,
    )  # fmt: skip
    [message] = TicketMessage.objects.filter(ticket=row)
    assert (message.author, message.from_staff, message.body) == (learner, False, "为什么？\n请说明。")
    assert not TicketAttachment.objects.exists()


def test_attachments_are_sealed_in_the_vault(learner: User) -> None:
    files = vault_files()
    ticket = open_(learner, attachments=[factories.proof_jpeg(1, "截图.jpg"), factories.proof_jpeg(2)])
    attachments = list(TicketAttachment.objects.filter(message__ticket=ticket).order_by("pk"))
    assert [a.filename for a in attachments] == ["截图.jpg", "proof.jpg"]
    assert {a.blob for a in attachments} == vault_files() - files
    for attachment in attachments:
        data = vault().read(attachment.blob, context=ATTACHMENT_CONTEXT)
        assert (attachment.content_type, attachment.size) == ("image/jpeg", len(data))


@pytest.mark.parametrize(
    "make", [factories.RegisteredLearnerFactory, factories.VerifiedLearnerFactory, factories.SupportStaffFactory]
)
def test_any_account_may_ask(db: Any, make: Any) -> None:
    user = make()
    assert open_(user).user == user


def refused(user: User, **over: Any) -> DomainError:
    files = vault_files()
    rows = (Ticket.objects.count(), TicketMessage.objects.count(), TicketAttachment.objects.count())
    with pytest.raises(DomainError) as info:
        open_(user, **over)
    assert (Ticket.objects.count(), TicketMessage.objects.count(), TicketAttachment.objects.count()) == rows
    assert vault_files() == files
    return info.value


def test_every_invalid_field_is_reported_at_once(learner: User) -> None:
    error = refused(learner, category="complaint", subject="", message="  ")
    assert error.code == "choice_invalid"
    assert list(error.errors) == ["category", "subject", "message"]


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"subject": "x" * 201}, "too_long", "subject"),
        ({"message": "x" * 5001}, "too_long", "message"),
        ({"subject": "a\u202eb"}, "invalid_characters", "subject"),
        ({"attachments": [factories.proof_jpeg(i) for i in range(4)]}, "too_many_files", "attachments"),
    ],
    ids=["long-subject", "long-message", "bidi-subject", "four-files"],
)
def test_a_bad_field_is_refused(learner: User, over: dict[str, Any], code: str, field: str) -> None:
    error = refused(learner, **over)
    assert (error.code, list(error.errors)) == (code, [field])


def test_the_tickets_of_a_day_are_limited(learner: User, settings: Any) -> None:
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "TICKETS_PER_DAY": 2}
    open_(learner)
    open_(learner)
    error = refused(learner)
    assert isinstance(error, RateLimited)
    assert (error.code, error.status) == ("rate_limited", 429)
    assert 0 < error.retry_after <= 86400
    assert open_(factories.LearnerFactory()).status == "open"  # another account is not held back
