"""Upload safety for proof files and attachments: images (re-encoded) and PDFs (checked)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError
from creditbank.kernel.images import ImagePolicy, clean_image, read_limited, sniff_image_format

#: PDF features that run code, open other things or hide files: refused.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia|XFA|SubmitForm|ImportData)\b")


@dataclass(frozen=True)
class CleanDocument:
    data: bytes
    content_type: str
    extension: str
    sha256: str


def clean_upload(upload: Any, *, field: str, max_bytes: int = 8 * 1024 * 1024) -> CleanDocument:
    """Read an uploaded file (streamed, bounded) and check it as a proof or attachment."""
    source = upload.chunks() if hasattr(upload, "chunks") else upload
    return clean_document(read_limited(source, max_bytes=max_bytes, field=field), field=field, max_bytes=max_bytes)


def clean_document(data: bytes, *, field: str, max_bytes: int = 8 * 1024 * 1024) -> CleanDocument:
    """An image (re-encoded like ID photos, smaller minimum size) or a plain PDF.

    Codes: the image codes of :mod:`creditbank.kernel.images`, ``upload_type_not_allowed``,
    ``upload_too_large``, ``pdf_invalid``, ``pdf_active_content``.
    """
    if not data:
        raise DomainError("upload_empty", _("The file is empty."), field=field)
    if len(data) > max_bytes:
        raise DomainError("upload_too_large", _("The file is too large (at most 8 MB)."), field=field, status=413)
    if sniff_image_format(data) is not None:
        image = clean_image(data, policy=ImagePolicy(max_bytes=max_bytes, min_width=200, min_height=200), field=field)
        return CleanDocument(image.data, image.content_type, "jpg", image.sha256)
    if data.startswith(b"%PDF-"):
        tail = data[-2048:]
        if b"%%EOF" not in tail or b"obj" not in data:
            raise DomainError(
                "pdf_invalid", _("This PDF is damaged or incomplete. Save it again and retry."), field=field
            )
        if _PDF_ACTIVE.search(data):
            raise DomainError(
                "pdf_active_content",
                _(
                    "PDFs with scripts, attachments or automatic actions are not accepted. Print it to a plain PDF or upload a photo."
                ),
                field=field,
            )
        if b"/Encrypt" in data:
            raise DomainError("pdf_invalid", _("Password-protected PDFs are not accepted."), field=field)
        return CleanDocument(data, "application/pdf", "pdf", hashlib.sha256(data).hexdigest())
    raise DomainError(
        "upload_type_not_allowed",
        _("Upload a photo (JPEG, PNG or WebP) or a PDF."),
        field=field,
        extra={"accepted": ["image/jpeg", "image/png", "image/webp", "application/pdf"]},
    )
