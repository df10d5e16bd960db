"""The CSV statement of a credit account (学分对账单): the entries a filter selects, as a
spreadsheet opens them.

- UTF-8 with a byte order mark, so Excel reads the Chinese headers and titles correctly; rows end
  with CRLF (RFC 4180); the headers and labels are in the reader's language.
- Safe against formula injection (OWASP "CSV Injection"): a text cell whose first visible
  character is ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed is prefixed
  with ``'``, so a spreadsheet shows it as text and never runs it. Numbers the ledger writes
  (amounts, seqs, ids) are not text and stay numbers: ``-1.00`` is a change of credits.
- Streamed (``StreamingHttpResponse``): the entries are read in chunks, and each chunk's outcomes
  and applications are named by their describers (``references``) in one call, so a statement of
  any length takes constant memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from decimal import Decimal

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.downloads import content_disposition
from creditbank.kernel.spreadsheets import text_cell
from creditbank.ledger.domain.postings import own_changes
from creditbank.ledger.labels import kind_label, type_label
from creditbank.ledger.models import LedgerEntry
from creditbank.ledger.references import Reference, describe_entry_applications, describe_outcomes, entry_application

BOM = "\ufeff"
CHUNK = 500
CONTENT_TYPE = "text/csv; charset=utf-8"

HEADER = (
    _("No."),
    _("Date and time"),
    _("Kind"),
    _("Credits"),
    _("Change of available credits"),
    _("Change of frozen credits"),
    _("Outcome type"),
    _("Outcome"),
    _("Outcome ID"),
    _("Application"),
    _("Application ID"),
    _("Reverses No."),
    _("SHA-256"),
    _("Programme"),
)


def _number(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def outcome_name(outcome_id: int | None, found: dict[int, Reference]) -> str:
    if outcome_id is None:
        return ""
    ref = found.get(outcome_id)
    return ref.title if ref else str(_("outcome #%(id)s") % {"id": outcome_id})


def application_name(entry: LedgerEntry, found: dict[tuple[str, int], Reference]) -> str:
    if entry.application_id is None:
        return ""
    ref = entry_application(entry, found)
    return ref.title if ref else str(_("application #%(id)s") % {"id": entry.application_id})


def _chunks(entries: Iterable[LedgerEntry]) -> Iterator[list[LedgerEntry]]:
    chunk: list[LedgerEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def statement_rows(entries: QuerySet[LedgerEntry]) -> Iterator[list[str]]:
    """The header, then one row per entry, oldest first as a statement reads (the reader's
    language is the one active while the rows are made)."""
    yield [text_cell(str(title)) for title in HEADER]
    zone = timezone.get_default_timezone()
    rows = entries.select_related("reverses").order_by("seq").iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows):
        outcomes = describe_outcomes({e.outcome_id for e in chunk})
        applications = describe_entry_applications(chunk)
        for entry in chunk:
            available, frozen = own_changes(entry.debit, entry.credit, entry.amount)
            yield [
                _number(entry.seq),
                entry.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                text_cell(kind_label(entry.kind)),
                _number(entry.amount),
                _number(available),
                _number(frozen),
                text_cell(type_label(entry.outcome_type)) if entry.outcome_type else "",
                text_cell(outcome_name(entry.outcome_id, outcomes)),
                _number(entry.outcome_id),
                text_cell(application_name(entry, applications)),
                _number(entry.application_id),
                _number(entry.reverses.seq if entry.reverses_id and entry.reverses else None),
                entry.hash,
                text_cell(entry.programme),
            ]


class _Line:
    """A file-like object that hands back what the csv writer writes (one row at a time)."""

    def write(self, value: str) -> str:
        return value


def statement_lines(entries: QuerySet[LedgerEntry], *, language: str | None = None) -> Iterator[str]:
    """The statement as text: the BOM, then CRLF-terminated CSV rows, in ``language`` (None:
    the active one when the lines are read)."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    with translation.override(language) if language else nullcontext():
        first = True
        for row in statement_rows(entries):
            line: str = writer.writerow(row)
            yield (BOM + line) if first else line
            first = False


def statement_response(entries: QuerySet[LedgerEntry], *, filename: str) -> StreamingHttpResponse:
    """The statement as a streamed download in the language of this request (the lines are
    made after the view returns, so the language is fixed now)."""
    lines = statement_lines(entries, language=translation.get_language())
    response = StreamingHttpResponse((line.encode("utf-8") for line in lines), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


def statement_filename(account_no: str) -> str:
    """``credits-<account number>-<YYYYMMDD>.csv`` (today, Beijing time): ASCII, of our making."""
    return f"credits-{account_no}-{timezone.localdate():%Y%m%d}.csv"
