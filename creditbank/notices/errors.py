"""The error codes of official notices and support tickets (the notices context).

Pure Python (no Django). Free text, choice and attachment codes are the kernel's. Listed in
docs/API-ERRORS.md.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Support tickets."""

    TICKET_CLOSED = "ticket_closed"  # 409: the ticket is already closed
    TICKET_NOT_CLOSED = "ticket_not_closed"  # 409: reopening a ticket that is open
    TICKET_REOPEN_EXPIRED = "ticket_reopen_expired"  # 409: closed too long ago to reopen
    OWN_TICKET = "own_ticket"  # 403: staff answering their own ticket
    NOT_SUPPORT = "not_support"  # 403: the support queue needs the support role
