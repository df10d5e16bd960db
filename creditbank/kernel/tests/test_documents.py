import io

import pytest
from PIL import Image

from creditbank.kernel.documents import clean_document
from creditbank.kernel.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<<>>\n%%EOF\n"


def code(data: bytes) -> str:
    with pytest.raises(DomainError) as info:
        clean_document(data, field="proof")
    assert info.value.field == "proof"
    return info.value.code


def test_plain_pdf_passes_unchanged() -> None:
    doc = clean_document(PDF, field="proof")
    assert doc.content_type == "application/pdf"
    assert doc.data == PDF


def test_images_are_re_encoded() -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (1, 2, 3)).save(out, "PNG")
    doc = clean_document(out.getvalue() + b"<script>x</script>", field="proof")
    assert doc.content_type == "image/jpeg"
    assert b"<script>" not in doc.data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "upload_empty"),
        (b"<html><script>1</script></html>", "upload_type_not_allowed"),
        (b"PK\x03\x04 zip", "upload_type_not_allowed"),
        (b"%PDF-1.4 no end", "pdf_invalid"),
        (PDF.replace(b"/Pages 2 0 R", b"/OpenAction 3 0 R"), "pdf_active_content"),
        (PDF.replace(b"/Pages 2 0 R", b"/Names<</JavaScript 4 0 R>>"), "pdf_active_content"),
        (PDF.replace(b"/Pages 2 0 R", b"/EmbeddedFile 5 0 R"), "pdf_active_content"),
        (PDF.replace(b"trailer<<>>", b"trailer<</Encrypt 6 0 R>>"), "pdf_invalid"),
    ],
)
def test_refusals(data: bytes, expected: str) -> None:
    assert code(data) == expected


def test_size_limit() -> None:
    with pytest.raises(DomainError) as info:
        clean_document(PDF + b" " * 100, field="proof", max_bytes=50)
    assert info.value.code == "upload_too_large"
    assert info.value.status == 413
