"""ticket_get_for_actor: the ticket for its author and for support staff (only the author with
``acting=Acting.OWNER``); for anyone else the same NotFound as for a ticket that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from creditbank.accounts.roles import Acting
from creditbank.kernel.errors import NotFound
from creditbank.notices.models import Ticket
from creditbank.notices.selectors import ticket_get_for_actor
from tests import factories
from tests.row_locks import expected_locks, locking


@pytest.fixture
def ticket(db: Any) -> Ticket:
    return factories.TicketFactory()


def refused(actor: Any, id: int, **options: Any) -> NotFound:
    with pytest.raises(NotFound) as info:
        ticket_get_for_actor(actor=actor, id=id, **options)
    return info.value


def test_the_author_gets_their_ticket_with_its_messages(ticket: Ticket) -> None:
    got = ticket_get_for_actor(actor=ticket.user, id=ticket.pk)
    assert (got.pk, got.user, got.subject) == (ticket.pk, ticket.user, "无法修改手机号")
    assert [m.body for m in got.messages.all()] == ["收不到验证码，请帮忙。"]


def test_another_learner_gets_the_answer_for_a_ticket_that_does_not_exist(ticket: Ticket) -> None:
    other = factories.LearnerFactory()
    hidden, missing = refused(other, ticket.pk), refused(other, ticket.pk + 1000)
    assert (hidden.code, hidden.status, str(hidden.message)) == (missing.code, missing.status, str(missing.message))
    assert (hidden.code, hidden.status) == ("not_found", 404)


@pytest.mark.parametrize("make", [factories.SupportStaffFactory, factories.ReviewerFactory])
def test_support_staff_get_any_ticket(ticket: Ticket, make: Any) -> None:
    assert ticket_get_for_actor(actor=make(), id=ticket.pk).pk == ticket.pk


@pytest.mark.parametrize(
    "make", [factories.VerificationReviewerFactory, factories.ChangeReviewerFactory, factories.StaffFactory]
)
def test_staff_without_the_support_role_get_not_found(ticket: Ticket, make: Any) -> None:
    assert refused(make(), ticket.pk).code == "not_found"


def test_acting_as_owner_support_staff_get_only_their_own_tickets(ticket: Ticket) -> None:
    support = factories.SupportStaffFactory()
    own = factories.TicketFactory(user=support)
    assert refused(support, ticket.pk, acting=Acting.OWNER).code == "not_found"
    assert ticket_get_for_actor(actor=support, id=own.pk, acting=Acting.OWNER).pk == own.pk


def test_an_unknown_id_is_not_found_even_for_support(ticket: Ticket) -> None:
    assert refused(factories.SupportStaffFactory(), ticket.pk + 1).code == "not_found"


def test_for_update_locks_the_ticket_row_inside_the_transaction(ticket: Ticket) -> None:
    with locking() as locks:
        got = ticket_get_for_actor(actor=ticket.user, id=ticket.pk, for_update=True, acting=Acting.OWNER)
    assert (got.pk, got.user.pk) == (ticket.pk, ticket.user_id)
    assert locks == expected_locks("notices_ticket")


def test_for_update_refuses_others_as_without_it(ticket: Ticket) -> None:
    with locking(), pytest.raises(NotFound):
        ticket_get_for_actor(actor=factories.LearnerFactory(), id=ticket.pk, for_update=True)
