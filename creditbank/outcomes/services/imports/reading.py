"""Reading an import file: its type judged by its bytes, its encoding, and its rows as a stream.

Both readers stream: the CSV module reads lines through a text wrapper over the (decrypting)
binary stream; openpyxl reads the first worksheet in read-only mode, which parses the sheet's XML
as it goes. Neither holds the rows; the XLSX reader holds the workbook's shared-strings table,
which is why XLSX files are held to :data:`XLSX_SHARED_STRINGS_MAX` (docs/adr/0025).
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError
from creditbank.outcomes.domain.imports import COLUMNS, Header, HeaderError, is_blank, resolve_header
from creditbank.outcomes.errors import ErrorCode
from creditbank.outcomes.models import ImportFormat

FIELD = "file"
ACCEPTED_TYPES = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
#: XLSX limits: the ZIP's members uncompressed, and the shared strings openpyxl keeps in memory
XLSX_UNCOMPRESSED_MAX = 1024 * 1024 * 1024
XLSX_SHARED_STRINGS_MAX = 64 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx files with a password


class Unreadable(Exception):
    """The file broke while being read (a damaged XLSX, a bad CSV quote) at ``row`` (a CSV's
    line, an XLSX's row; 0 when it did not open)."""

    def __init__(self, detail: str, *, row: int = 0) -> None:
        super().__init__(detail)
        self.detail = detail
        self.row = row


def type_refused(hint: Any = None) -> DomainError:
    return DomainError(
        ErrorCode.IMPORT_FILE_TYPE,
        hint or _("Upload a CSV file (UTF-8) or an Excel workbook (.xlsx), as the template is."),
        field=FIELD,
        extra={"accepted": ACCEPTED_TYPES},
    )


def unreadable(detail: Any) -> DomainError:
    return DomainError(ErrorCode.IMPORT_FILE_UNREADABLE, detail, field=FIELD)


def sniff_format(head: bytes) -> str:
    """``csv`` or ``xlsx`` from the file's first bytes (its name and declared type are not
    trusted); refuses anything else."""
    if head.startswith(_ZIP_MAGIC):
        return ImportFormat.XLSX
    if head.startswith(_OLE_MAGIC):
        raise type_refused(
            _(
                "This is an old Excel file (.xls) or a workbook with a password. Save it as .xlsx without a password, or as CSV."
            )
        )
    if b"\x00" in head:
        raise type_refused()
    return ImportFormat.CSV


def detect_encoding(stream: IO[bytes]) -> str:
    """``utf-8`` when the whole file is UTF-8 (a BOM is allowed), else ``gb18030`` when it
    decodes so (what Excel writes for "CSV" on Chinese Windows), else ``import_encoding``."""
    for encoding in ("utf-8", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            while piece := stream.read(256 * 1024):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return encoding
    raise DomainError(
        ErrorCode.IMPORT_ENCODING,
        _("The file's text is neither UTF-8 nor GB18030. Save it as “CSV UTF-8” and upload it again."),
        field=FIELD,
    )


def check_xlsx(stream: IO[bytes]) -> None:
    """A ZIP that is a workbook, within the size limits, without encrypted members."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable(_("The workbook is damaged: it could not be opened. Save it again as .xlsx.")) from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise type_refused()
        if any(info.flag_bits & 0x1 for info in infos):
            raise type_refused(_("Workbooks with a password are not accepted: save it as .xlsx without a password."))
        shared = sum(info.file_size for info in infos if info.filename.lower() == "xl/sharedstrings.xml")
        if sum(info.file_size for info in infos) > XLSX_UNCOMPRESSED_MAX or shared > XLSX_SHARED_STRINGS_MAX:
            raise unreadable(
                _("The workbook is too large once uncompressed. Split it into several files, or upload CSV.")
            )
    stream.seek(0)


def _csv_records(stream: IO[bytes], encoding: str) -> Iterator[list[Any]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
    reader = csv.reader(text, strict=True)
    try:
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise Unreadable(str(exc), row=reader.line_num) from exc
            yield record
    finally:
        text.detach()


def _open_workbook(stream: IO[bytes]) -> tuple[Any, str]:
    """The workbook's reader (manifest, shared strings, styles read) and its first worksheet's
    part. openpyxl's ``load_workbook`` is not used: in read-only mode it sizes every sheet when it
    opens the workbook, and for a sheet without a ``<dimension>`` (as streaming writers leave
    it) that parses the whole sheet into one tree; the parts below are what it reads otherwise."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(stream, read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = [
        rel.target
        for _sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    if not sheets:
        raise Unreadable("no worksheet")
    return reader, sheets[0]


def _xlsx_records(stream: IO[bytes]) -> Iterator[Sequence[Any]]:
    """The first worksheet's rows, parsed as they stream by (each row's element dropped once
    read; missing rows given as empty ones, so that positions are the sheet's row numbers)."""
    from openpyxl.worksheet._reader import DATA_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    number = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
        try:
            reader, part = _open_workbook(stream)
        except Unreadable:
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for damaged files
            raise Unreadable(f"{type(exc).__name__}: {exc}") from exc
        try:
            with reader.archive.open(part) as source:
                book = reader.wb
                parser = WorkSheetParser(
                    source, reader.shared_strings, data_only=True, epoch=book.epoch,
                    date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
                )  # fmt: skip
                data = None
                events = iterparse(source, events=("start", "end"))
                while True:
                    try:
                        event, element = next(events)
                    except StopIteration:
                        return
                    except Exception as exc:  # noqa: BLE001 - a damaged sheet
                        raise Unreadable(f"{type(exc).__name__}: {exc}", row=number + 1) from exc
                    if event == "start":
                        if element.tag == DATA_TAG:
                            data = element
                        continue
                    if element.tag != ROW_TAG:
                        continue
                    try:
                        index, cells = parser.parse_row(element)
                    except Exception as exc:  # noqa: BLE001 - a damaged row
                        raise Unreadable(f"{type(exc).__name__}: {exc}", row=number + 1) from exc
                    if data is not None:
                        data.clear()  # the rows read so far: memory stays flat
                    parser.row_dimensions.clear()
                    while number + 1 < index:
                        number += 1
                        yield ()
                    number += 1
                    values: list[Any] = [None] * max((c["column"] for c in cells), default=0)
                    for cell in cells:
                        values[cell["column"] - 1] = cell["value"]
                    yield values
        finally:
            reader.archive.close()


def records(stream: IO[bytes], *, format: str, encoding: str = "") -> Iterator[Sequence[Any]]:
    """The file's rows (the header first) as lists of cells; raises :class:`Unreadable`."""
    if format == ImportFormat.XLSX:
        return _xlsx_records(stream)
    return _csv_records(stream, encoding or "utf-8")


def declared_rows(stream: IO[bytes]) -> int | None:
    """The data rows an XLSX's first sheet declares (its ``<dimension>``, which comes before the
    sheet's data), or None when it declares none."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.xml.functions import iterparse

    max_row = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader, part = _open_workbook(stream)
            with reader.archive.open(part) as source:
                for _event, element in iterparse(source, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        max_row = range_boundaries(element.get("ref", ""))[3]
                        break
                    if element.tag == DATA_TAG:
                        break
        except Exception:  # noqa: BLE001 - the reading itself will say what is wrong
            return None
        finally:
            stream.seek(0)
    return max_row - 1 if isinstance(max_row, int) and max_row > 1 else None


@dataclass(frozen=True)
class Inspected:
    header: Header
    #: non-blank data rows (CSV: counted; XLSX: as declared, or None)
    total_rows: int | None


def columns_refused(refused: HeaderError) -> DomainError:
    names = {c.name: c.header for c in COLUMNS}
    missing = [" / ".join(names[n] for n in m.split("|")) for m in refused.missing]
    parts = []
    if missing:
        parts.append(str(_("Missing columns: %(names)s.")) % {"names": ", ".join(missing)})
    if refused.unknown:
        parts.append(str(_("Unknown columns: %(names)s.")) % {"names": ", ".join(refused.unknown)})
    if refused.repeated:
        parts.append(str(_("Columns given twice: %(names)s.")) % {"names": ", ".join(refused.repeated)})
    parts.append(str(_("Use the header row of the template (Chinese, English or both, as “学分 (credits)”).")))
    return DomainError(
        ErrorCode.IMPORT_COLUMNS, " ".join(parts), field=FIELD,
        extra={"missing": refused.missing, "unknown": refused.unknown, "repeated": refused.repeated},
    )  # fmt: skip


def inspect(stream: IO[bytes], *, format: str, encoding: str) -> Inspected:
    """Check an uploaded file before it is accepted: it opens, its header fits the standard, it
    has a data row; a CSV is read to its end (a damaged line or encoding is found now, and its
    rows counted). Refusals: ``import_file_unreadable``, ``import_columns``, ``import_no_rows``."""
    rows = records(stream, format=format, encoding=encoding)
    try:
        header_cells = next(rows, None)
        if header_cells is None or is_blank(header_cells):
            raise DomainError(
                ErrorCode.IMPORT_NO_ROWS,
                _("The file has no header row: the first row names the columns, as in the template."),
                field=FIELD,
            )
        try:
            header = resolve_header(header_cells)
        except HeaderError as refused:
            raise columns_refused(refused) from None
        count = 0
        for cells in rows:
            if not is_blank(cells):
                count += 1
                if format == ImportFormat.XLSX:
                    break  # XLSX rows are counted by the job; one row is enough here
    except Unreadable as broken:
        raise unreadable(
            _("The file is damaged near row %(row)s and cannot be read. Save it again from the spreadsheet program.")
            % {"row": broken.row}
        ) from None
    finally:
        getattr(rows, "close", lambda: None)()
    if count == 0:
        raise DomainError(
            ErrorCode.IMPORT_NO_ROWS, _("The file has a header but no rows: add one row per outcome."), field=FIELD
        )
    stream.seek(0)
    if format == ImportFormat.XLSX:
        return Inspected(header=header, total_rows=declared_rows(stream))
    return Inspected(header=header, total_rows=count)
