"""Personal data the support context seals at rest (see ``kernel.personal_data``)."""

from creditbank.kernel.personal_data import VaultFiles, declare

ATTACHMENT_CONTEXT = "notices.ticket.attachment"

declare(VaultFiles("notices.TicketAttachment", ("blob",), context=ATTACHMENT_CONTEXT))
