"""Upload safety for proof files and attachments: images (re-encoded) and PDFs (checked)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError, ErrorCode
from creditbank.kernel.images import ImagePolicy, clean_image, read_limited, sniff_image_format

#: PDF features that run code, open other things or hide files: refused.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia|XFA|SubmitForm|ImportData)\b")


#: Characters that no file system or download dialog takes in a name.
_FILENAME_UNSAFE = re.compile(r'[<>:"/\\|?*]')
MAX_FILENAME = 120


@dataclass(frozen=True)
class CleanDocument:
    data: bytes
    content_type: str
    extension: str
    sha256: str
    name: str = ""  # the uploader's file name, sanitised (clean_filename); "" when none was given


def clean_upload(upload: Any, *, field: str, max_bytes: int = 8 * 1024 * 1024) -> CleanDocument:
    """Read an uploaded file (streamed, bounded) and check it as a proof or attachment."""
    source = upload.chunks() if hasattr(upload, "chunks") else upload
    doc = clean_document(read_limited(source, max_bytes=max_bytes, field=field), field=field, max_bytes=max_bytes)
    return replace(doc, name=clean_filename(getattr(upload, "name", "")))


def clean_filename(name: Any) -> str:
    """The name a person gave a file, safe to store, show and offer as a download name.

    Only the last path part, NFC, whitespace as single spaces, no control, format (bidirectional
    overrides), private-use or unassigned characters, none that file systems refuse, no leading or
    trailing dots, at most ``MAX_FILENAME`` characters keeping the extension. "" when nothing is left.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    text = re.sub(r" {2,}", " ", _FILENAME_UNSAFE.sub("_", text)).strip(" .")
    if len(text) > MAX_FILENAME:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_FILENAME - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            text = text[:MAX_FILENAME].rstrip(" .")
    return text


def extension_for(content_type: str) -> str:
    """The extension of a stored document: PDFs stay PDFs, every image is re-encoded as JPEG."""
    return "pdf" if content_type == "application/pdf" else "jpg"


def download_name(name: str, *, content_type: str) -> str:
    """A stored name with the extension of what is stored ("" when there is no name)."""
    stem = (name.rpartition(".")[0] if "." in name else name).strip(" .")
    return f"{stem}.{extension_for(content_type)}" if stem else ""


def clean_document(data: bytes, *, field: str, max_bytes: int = 8 * 1024 * 1024) -> CleanDocument:
    """An image (re-encoded like ID photos, smaller minimum size) or a plain PDF.

    Codes: the image codes of :mod:`creditbank.kernel.images`, ``upload_type_not_allowed``,
    ``upload_too_large``, ``pdf_invalid``, ``pdf_active_content``.
    """
    if not data:
        raise DomainError(ErrorCode.UPLOAD_EMPTY, _("The file is empty."), field=field)
    if len(data) > max_bytes:
        raise DomainError(
            ErrorCode.UPLOAD_TOO_LARGE, _("The file is too large (at most 8 MB)."), field=field, status=413
        )
    if sniff_image_format(data) is not None:
        image = clean_image(data, policy=ImagePolicy(max_bytes=max_bytes, min_width=200, min_height=200), field=field)
        return CleanDocument(image.data, image.content_type, "jpg", image.sha256)
    if data.startswith(b"%PDF-"):
        tail = data[-2048:]
        if b"%%EOF" not in tail or b"obj" not in data:
            raise DomainError(
                ErrorCode.PDF_INVALID, _("This PDF is damaged or incomplete. Save it again and retry."), field=field
            )
        if _PDF_ACTIVE.search(data):
            raise DomainError(
                ErrorCode.PDF_ACTIVE_CONTENT,
                _(
                    "PDFs with scripts, attachments or automatic actions are not accepted. Print it to a plain PDF or upload a photo."
                ),
                field=field,
            )
        if b"/Encrypt" in data:
            raise DomainError(ErrorCode.PDF_INVALID, _("Password-protected PDFs are not accepted."), field=field)
        return CleanDocument(data, "application/pdf", "pdf", hashlib.sha256(data).hexdigest())
    raise DomainError(
        ErrorCode.UPLOAD_TYPE_NOT_ALLOWED,
        _("Upload a photo (JPEG, PNG or WebP) or a PDF."),
        field=field,
        extra={"accepted": ["image/jpeg", "image/png", "image/webp", "application/pdf"]},
    )
