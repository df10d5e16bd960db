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


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("户口簿 第3页.png", "户口簿 第3页.png"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\李四\\证明.pdf", "证明.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # a right-to-left override would disguise the extension
        ('a"; filename=evil.sh\r\nSet-Cookie: x=1.pdf', "a_; filename=evil.sh Set-Cookie_ x=1.pdf"),
        ("  ..hidden  name\t.jpg ", "hidden name .jpg"),
        ("<b>bold</b>?.jpg", "b__.jpg"),  # "/" ends a path part
        ("e\u0301.pdf", "\u00e9.pdf"),  # NFC
        ("\x00\x07", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_file_names_are_sanitised(given: object, kept: str) -> None:
    from creditbank.kernel.documents import clean_filename

    assert clean_filename(given) == kept


def test_long_file_names_keep_their_extension() -> None:
    from creditbank.kernel.documents import MAX_FILENAME, clean_filename

    name = clean_filename("证" * 300 + ".pdf")
    assert name == "证" * (MAX_FILENAME - 4) + ".pdf"
    assert len(name) == MAX_FILENAME


def test_the_download_name_has_the_stored_files_extension() -> None:
    from creditbank.kernel.documents import download_name

    assert download_name("户口簿 第3页.png", content_type="image/jpeg") == "户口簿 第3页.jpg"
    assert download_name("scan", content_type="application/pdf") == "scan.pdf"
    assert download_name("", content_type="application/pdf") == ""


def test_clean_upload_keeps_the_sanitised_name() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from creditbank.kernel.documents import clean_upload

    doc = clean_upload(SimpleUploadedFile("../证明\u202e.pdf", PDF, content_type="application/pdf"), field="proof")
    assert doc.name == "证明.pdf"


def test_content_disposition_offers_the_name_per_rfc_6266() -> None:
    from creditbank.kernel.downloads import private_file_response

    named = private_file_response(b"x", "image/jpeg", "attachment-5.jpg", display_name="户口簿 第3页.jpg")
    assert named["Content-Disposition"] == (
        "attachment; filename=\"attachment-5.jpg\"; filename*=UTF-8''%E6%88%B7%E5%8F%A3%E7%B0%BF%20%E7%AC%AC3%E9%A1%B5.jpg"
    )
    ascii_name = private_file_response(b"x", "application/pdf", "attachment-6.pdf", display_name="scan (1).pdf")
    assert (
        ascii_name["Content-Disposition"]
        == "attachment; filename=\"scan (1).pdf\"; filename*=UTF-8''scan%20%281%29.pdf"
    )
    plain = private_file_response(b"x", "image/jpeg", "front-1.jpg")
    assert plain["Content-Disposition"] == 'attachment; filename="front-1.jpg"'
