"""Tests for the image upload gate. Every crafted file is built here, with Pillow or by hand.

The tests need neither a database nor Django settings: they look at ``exc.code``,
``exc.field`` and ``exc.extra`` only, never at the (lazy) messages.
"""

from __future__ import annotations

import functools
import hashlib
import io
import random
import struct
import tracemalloc
import warnings
import zlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFile, ImageOps, PngImagePlugin

from creditbank.kernel import images
from creditbank.kernel.errors import DomainError
from creditbank.kernel.images import (
    DEFAULT_POLICY,
    CleanImage,
    ImagePolicy,
    clean_image,
    dhash_hex,
    hamming_hex,
    phash_hex,
    read_limited,
    sniff_image_format,
)

FIELD = "id_card_front"
KNOWN_CODES = {
    "upload_empty",
    "upload_too_large",
    "upload_type_not_allowed",
    "image_too_many_pixels",
    "image_decompression_bomb",
    "image_corrupt",
    "image_too_small",
    "image_animated",
    "image_aspect_ratio",
}
SECRET = b"SECRET-MARKER-8f2c"


# --- helpers -------------------------------------------------------------------------------


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def scene(size: tuple[int, int] = (640, 400), seed: int = 1) -> Image.Image:
    """A picture with structure (gradient, boxes, discs), so hashes and decoders have work."""
    rng = random.Random(seed)
    width, height = size
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(20, width // 2), y0 + rng.randrange(20, height // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return img


def halves(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: shows where a rotation or flip moved things."""
    img = Image.new("RGB", size, (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return img


def exif_bytes(orientation: int | None = None, *, gps: bool = False) -> bytes:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    exif[0x010E] = SECRET.decode()  # ImageDescription
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (39.0, 54.0, 27.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (116.0, 23.0, 17.0)
    return exif.tobytes()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_by_hand(width: int, height: int, *, idat: bytes | None = None) -> bytes:
    """A PNG whose IHDR claims ``width`` x ``height`` (8-bit RGB) with correct CRCs."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    if idat is None:
        idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def insert_png_chunk(data: bytes, chunk: bytes, *, before: bytes) -> bytes:
    pos = data.index(before) - 4  # the chunk starts with its 4-byte length
    return data[:pos] + chunk + data[pos:]


def jpeg_markers(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments up to the start of scan."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # SOS: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def patch_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """Rewrite the SOF0 header of a baseline JPEG to claim another size."""
    pos = data.index(b"\xff\xc0")
    return data[: pos + 5] + struct.pack(">HH", height, width) + data[pos + 9 :]


def webp_vp8x(width: int, height: int) -> bytes:
    """An extended WebP header claiming ``width`` x ``height``, with no image data."""
    payload = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    payload += (height - 1).to_bytes(3, "little")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def refused(data: bytes, code: str, *, policy: ImagePolicy = DEFAULT_POLICY) -> DomainError:
    with pytest.raises(DomainError) as info:
        clean_image(data, policy=policy, field=FIELD)
    assert info.value.code == code
    assert info.value.field == FIELD
    return info.value


def opened(clean: CleanImage) -> Image.Image:
    img = Image.open(io.BytesIO(clean.data))
    img.load()
    return img


@functools.cache
def valid_samples() -> dict[str, bytes]:
    picture = scene((480, 320))
    return {
        "JPEG": encode(picture, "JPEG", quality=85),
        "PNG": encode(picture, "PNG"),
        "WEBP": encode(picture, "WEBP", quality=80),
    }


# --- accepted images -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params", "size"),
    [
        ("JPEG", {"quality": 90}, (640, 480)),
        ("JPEG", {"quality": 75, "progressive": True}, (401, 251)),
        ("PNG", {}, (400, 250)),
        ("PNG", {}, (1200, 900)),
        ("WEBP", {"quality": 80}, (640, 480)),
        ("WEBP", {"lossless": True}, (500, 700)),
    ],
)
def test_valid_images_pass_with_exact_size(fmt: str, params: dict[str, object], size: tuple[int, int]) -> None:
    data = encode(scene(size), fmt, **params)
    assert sniff_image_format(data) == fmt

    clean = clean_image(data, field=FIELD)

    assert (clean.width, clean.height) == size
    assert clean.format == "JPEG"
    assert clean.content_type == "image/jpeg"
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    assert len(clean.dhash) == 16
    int(clean.dhash, 16)
    out = opened(clean)
    assert out.format == "JPEG"
    assert out.mode == "RGB"
    assert out.size == size


def test_output_jpeg_has_only_image_segments() -> None:
    clean = clean_image(valid_samples()["JPEG"], field=FIELD)
    markers = jpeg_markers(clean.data)
    # APP0 (JFIF), DQT, SOF0, DHT, SOS: no APP1 (EXIF/XMP), APP2 (ICC), APP13/14 or COM.
    assert set(markers) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}
    assert clean.data.endswith(b"\xff\xd9")


def test_png_output_policy_writes_bare_png() -> None:
    policy = ImagePolicy(output_format="PNG")
    data = encode(scene((500, 300)), "PNG", pnginfo=_text_info())

    clean = clean_image(data, policy=policy, field=FIELD)

    assert clean.format == "PNG"
    assert clean.content_type == "image/png"
    assert {kind for kind, _ in png_chunks(clean.data)} == {b"IHDR", b"IDAT", b"IEND"}
    assert opened(clean).tobytes() == scene((500, 300)).tobytes()  # lossless


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        ImagePolicy(max_bytes=0)
    with pytest.raises(ValueError):
        ImagePolicy(output_format="GIF")
    with pytest.raises(ValueError):
        ImagePolicy(jpeg_quality=100)
    with pytest.raises(ValueError):
        ImagePolicy(min_aspect=0.9)
    with pytest.raises(ValueError):
        ImagePolicy(min_aspect=2.0, max_aspect=1.5)


# --- type, emptiness, size -----------------------------------------------------------------


def test_empty_upload() -> None:
    refused(b"", "upload_empty")


def test_too_large() -> None:
    data = valid_samples()["PNG"]
    error = refused(data, "upload_too_large", policy=ImagePolicy(max_bytes=len(data) - 1))
    assert error.status == 413
    assert error.extra == {"max_bytes": len(data) - 1}
    clean_image(data, policy=ImagePolicy(max_bytes=len(data)), field=FIELD)


def _other_formats() -> dict[str, bytes]:
    picture = scene((400, 300))
    return {
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "svg-xml": b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "html-before-jpeg": b"<html><script>x</script></html>" + valid_samples()["JPEG"],
        "pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n",
        "gif": encode(picture.convert("P"), "GIF"),
        "bmp": encode(picture, "BMP"),
        "tiff": encode(picture, "TIFF"),
        "ico": encode(picture, "ICO"),
        "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
        "zip": b"PK\x03\x04" + b"\x00" * 64,
        "text": b"just some text pretending to be a photo",
        "jpeg-ish": b"\xff\xd8" + b"\x00" * 64,
        "riff-wave": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32,
    }


@pytest.mark.parametrize("name", sorted(_other_formats()))
def test_type_sniffed_from_magic_bytes(name: str) -> None:
    data = _other_formats()[name]
    assert sniff_image_format(data) is None
    error = refused(data, "upload_type_not_allowed")
    assert error.extra == {"accepted": ["image/jpeg", "image/png", "image/webp"]}


# --- pixel limits and decompression bombs --------------------------------------------------


def test_huge_declared_png_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    data = png_by_hand(100_000, 100_000)
    assert len(data) < 100

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("Image.open must not be reached")

    monkeypatch.setattr(images.Image, "open", no_open)
    tracemalloc.start()
    try:
        error = refused(data, "image_too_many_pixels")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024
    assert error.extra == {"max_pixels": DEFAULT_POLICY.max_pixels}


def test_huge_declared_webp_is_refused_before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("Image.open must not be reached")

    monkeypatch.setattr(images.Image, "open", no_open)
    refused(webp_vp8x(16_000, 16_000), "image_too_many_pixels")


def _no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_load(self: ImageFile.ImageFile) -> None:
        raise AssertionError("the picture must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_load)


@pytest.mark.parametrize("size", [(6000, 5000), (60_000, 60_000)])
def test_huge_declared_jpeg_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    # 6000x5000 passes Pillow's own guard and is stopped by the policy; 60000x60000 trips
    # Pillow's DecompressionBombError inside Image.open, which the policy also reports.
    data = patch_jpeg_size(encode(Image.new("RGB", (64, 64), "white"), "JPEG"), *size)
    if size[0] * size[1] > 2 * (Image.MAX_IMAGE_PIXELS or 0):
        with pytest.raises(Image.DecompressionBombError):
            Image.open(io.BytesIO(data))
    else:
        assert Image.open(io.BytesIO(data)).size == size
    _no_decoding(monkeypatch)
    tracemalloc.start()
    try:
        refused(data, "image_too_many_pixels")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


def test_max_pixels_boundary() -> None:
    data = encode(scene((500, 400)), "PNG")
    refused(data, "image_too_many_pixels", policy=ImagePolicy(max_pixels=500 * 400 - 1))
    assert clean_image(data, policy=ImagePolicy(max_pixels=500 * 400), field=FIELD).width == 500


@pytest.mark.parametrize(
    "size",
    [
        (20_000, 20_000),  # over twice Image.MAX_IMAGE_PIXELS: DecompressionBombError
        (10_000, 10_000),  # over Image.MAX_IMAGE_PIXELS: DecompressionBombWarning
    ],
)
def test_pillow_bomb_guard_is_reported(size: tuple[int, int]) -> None:
    # A policy laxer than Pillow's guard: Pillow refuses, and says so with its own code.
    assert Image.MAX_IMAGE_PIXELS is not None
    assert size[0] * size[1] > Image.MAX_IMAGE_PIXELS
    limit_before = Image.MAX_IMAGE_PIXELS
    filters_before = list(warnings.filters)

    refused(png_by_hand(*size), "image_decompression_bomb", policy=ImagePolicy(max_pixels=10**12))

    assert limit_before == Image.MAX_IMAGE_PIXELS
    assert warnings.filters == filters_before


def _zlib_bomb(size: int = 4 * 1024 * 1024) -> bytes:
    return zlib.compress(b"\x00" * size, 9)


@pytest.mark.parametrize(
    ("kind", "payload", "before"),
    [
        ("zTXt", b"Comment\x00\x00" + _zlib_bomb(), b"IDAT"),
        ("zTXt", b"Comment\x00\x00" + _zlib_bomb(), b"IEND"),
        ("iTXt", b"Comment\x00\x01\x00\x00\x00" + _zlib_bomb(), b"IDAT"),
        ("iCCP", b"icc\x00\x00" + _zlib_bomb(), b"IDAT"),
    ],
)
def test_compressed_chunk_bomb(kind: str, payload: bytes, before: bytes) -> None:
    # A few kilobytes that inflate to megabytes: a compression ratio of about 1000:1.
    assert len(payload) < 10_000
    base = encode(scene((400, 250)), "PNG")
    data = insert_png_chunk(base, png_chunk(kind.encode(), payload), before=before)
    refused(data, "image_decompression_bomb")


# --- damaged data --------------------------------------------------------------------------


def _damaged() -> dict[str, bytes]:
    samples = valid_samples()
    jpeg, png, webp = samples["JPEG"], samples["PNG"], samples["WEBP"]
    idat = png.index(b"IDAT") + 4 + 40
    garbled_png = png[:idat] + bytes(b ^ 0x5A for b in png[idat : idat + 64]) + png[idat + 64 :]
    return {
        "jpeg-half": jpeg[: len(jpeg) // 2],
        "jpeg-no-eoi": jpeg[:-2],
        "jpeg-header-only": jpeg[:200],
        "jpeg-magic-only": b"\xff\xd8\xff",
        "png-half": png[: len(png) // 2],
        "png-signature-only": png[:8],
        "png-garbled-idat": garbled_png,
        "png-no-ihdr": b"\x89PNG\r\n\x1a\n" + png_chunk(b"IEND", b""),
        "png-bad-ihdr-crc": png[:29] + b"\x00\x00\x00\x00" + png[33:],
        "webp-half": webp[: len(webp) // 2],
        "webp-riff-only": b"RIFF\x00\x00\x00\x00WEBP",
        "webp-vp8x-without-image": webp_vp8x(640, 480),
    }


@pytest.mark.parametrize("name", sorted(_damaged()))
def test_damaged_or_truncated_is_corrupt(name: str) -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    refused(_damaged()[name], "image_corrupt")


# --- minimum size and orientation ----------------------------------------------------------


@pytest.mark.parametrize("size", [(399, 250), (400, 249), (120, 80)])
def test_too_small(size: tuple[int, int]) -> None:
    error = refused(encode(scene(size), "PNG"), "image_too_small")
    assert error.extra == {
        "min_width": 400,
        "min_height": 250,
        "width": size[0],
        "height": size[1],
    }


CARD_SHAPE = ImagePolicy(min_aspect=1.2, max_aspect=2.2)


@pytest.mark.parametrize(
    "size", [(40_000, 250), (250, 40_000), (5000, 2000), (2000, 5000), (600, 580), (1100, 1000), (700, 700)]
)
def test_aspect_ratio_outside_the_policy_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    data = png_by_hand(*size)
    _no_decoding(monkeypatch)
    error = refused(data, "image_aspect_ratio", policy=CARD_SHAPE)
    assert error.extra == {"min_aspect": 1.2, "max_aspect": 2.2, "width": size[0], "height": size[1]}
    jpeg = patch_jpeg_size(encode(Image.new("RGB", (64, 64), "white"), "JPEG"), *size)
    assert refused(jpeg, "image_aspect_ratio", policy=CARD_SHAPE).extra["width"] == size[0]


@pytest.mark.parametrize("size", [(600, 500), (1000, 630), (630, 1000), (1100, 500), (500, 1100), (856, 540)])
def test_aspect_ratio_inside_the_policy_in_either_orientation_is_accepted(size: tuple[int, int]) -> None:
    clean = clean_image(encode(scene(size), "PNG"), policy=CARD_SHAPE, field=FIELD)
    assert (clean.width, clean.height) == size
    # without limits in the policy any shape passes
    assert clean_image(encode(scene((4000, 400)), "PNG"), field=FIELD).width == 2400


def test_orientation_6_swaps_width_and_height() -> None:
    data = encode(halves((600, 400)), "JPEG", exif=exif_bytes(6))

    clean = clean_image(data, field=FIELD)

    assert (clean.width, clean.height) == (400, 600)
    out = opened(clean).convert("RGB")
    # Orientation 6: the stored picture is turned 90 degrees clockwise, so its left (red)
    # half ends up on top.
    top, bottom = out.getpixel((200, 50)), out.getpixel((200, 550))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matches_imageops(orientation: int) -> None:
    picture = Image.new("RGB", (600, 450), (0, 0, 0))
    picture.paste((255, 0, 0), (0, 0, 300, 225))  # top left red
    picture.paste((0, 255, 0), (300, 0, 600, 225))  # top right green
    picture.paste((0, 0, 255), (0, 225, 300, 450))  # bottom left blue
    data = encode(picture, "JPEG", quality=95, exif=exif_bytes(orientation))
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")

    out = opened(clean_image(data, field=FIELD)).convert("RGB")

    assert out.size == expected.size
    w, h = out.size
    for point in [
        (w // 4, h // 4),
        (3 * w // 4, h // 4),
        (w // 4, 3 * h // 4),
        (3 * w // 4, 3 * h // 4),
    ]:
        got, want = out.getpixel(point), expected.getpixel(point)
        assert isinstance(got, tuple) and isinstance(want, tuple)
        assert max(abs(g - x) for g, x in zip(got, want, strict=True)) < 40


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_orientation_in_png_and_webp(fmt: str) -> None:
    data = encode(halves((600, 400)), fmt, exif=exif_bytes(8))
    clean = clean_image(data, field=FIELD)
    assert (clean.width, clean.height) == (400, 600)
    assert b"Exif" not in clean.data


def test_minimum_size_applies_to_the_upright_picture() -> None:
    # Stored 500x300 but shown upright as 300x500: too narrow.
    refused(encode(scene((500, 300)), "JPEG", exif=exif_bytes(6)), "image_too_small")
    # Stored 300x500 but shown upright as 500x300: fine.
    clean = clean_image(encode(scene((300, 500)), "JPEG", exif=exif_bytes(8)), field=FIELD)
    assert (clean.width, clean.height) == (500, 300)


def test_damaged_exif_is_ignored() -> None:
    data = encode(scene((640, 480)), "JPEG", exif=b"Exif\x00\x00II*\x00\xff\xff\xff\x7f garbage")
    clean = clean_image(data, field=FIELD)
    assert (clean.width, clean.height) == (640, 480)
    assert b"garbage" not in clean.data


# --- nothing of the original survives ------------------------------------------------------


def _text_info() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_text("Author", SECRET.decode(), zip=True)
    info.add_itxt("Description", SECRET.decode())
    return info


def test_jpeg_metadata_is_removed() -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + SECRET + b"</x:xmpmeta>"
    data = encode(
        scene((800, 600)),
        "JPEG",
        exif=exif_bytes(1, gps=True),
        comment=SECRET,
        icc_profile=b"FAKE-ICC-" + SECRET,
        xmp=xmp,
    )
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(0x8825)  # the GPS block is really there
    assert data.count(SECRET) >= 4

    clean = clean_image(data, field=FIELD)

    out = opened(clean)
    assert not out.getexif()
    assert not out.getexif().get_ifd(0x8825)
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(out.info)
    for marker in (b"Exif", SECRET, b"ICC_PROFILE", b"xmpmeta", b"http://ns.adobe.com"):
        assert marker not in clean.data


def test_png_trailing_payload_and_text_are_removed() -> None:
    script = b"<script>alert(document.cookie)</script>"
    data = encode(scene((500, 300)), "PNG", pnginfo=_text_info(), exif=exif_bytes(1, gps=True))
    data += script  # after IEND, where naive validators do not look
    assert Image.open(io.BytesIO(data)).size == (500, 300)

    clean = clean_image(data, field=FIELD)

    assert script not in clean.data
    assert b"<script" not in clean.data
    assert SECRET not in clean.data
    assert b"Exif" not in clean.data
    assert (clean.width, clean.height) == (500, 300)


def test_trailing_payload_after_jpeg_is_removed() -> None:
    data = valid_samples()["JPEG"] + b"PK\x03\x04<script>alert(1)</script>"
    clean = clean_image(data, field=FIELD)
    assert b"<script" not in clean.data
    assert b"PK\x03\x04" not in clean.data


def test_webp_metadata_is_removed() -> None:
    data = encode(
        scene((640, 480)),
        "WEBP",
        exif=exif_bytes(1, gps=True),
        icc_profile=b"FAKE-ICC-" + SECRET,
        xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>",
    )
    assert SECRET in data
    clean = clean_image(data, field=FIELD)
    assert SECRET not in clean.data
    assert b"Exif" not in clean.data
    assert not opened(clean).getexif()


# --- frames ----------------------------------------------------------------------------------


def test_animated_png_is_refused() -> None:
    frames = [scene((400, 300), seed=1), scene((400, 300), seed=2)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    refused(data, "image_animated")


def test_animated_webp_is_refused() -> None:
    frames = [scene((400, 300), seed=1), scene((400, 300), seed=2)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    refused(data, "image_animated")


def test_mpo_keeps_its_first_picture() -> None:
    # Some cameras store extra pictures (previews, depth) in a JPEG as MPO.
    first, second = halves((640, 480)), Image.new("RGB", (320, 240), "green")
    data = encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    clean = clean_image(data, field=FIELD)

    assert (clean.width, clean.height) == (640, 480)
    assert jpeg_markers(clean.data).count(0xD8) == 0  # one picture, no embedded SOI
    assert clean.data.count(b"\xff\xd8") == 1


# --- modes and downscaling -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "fill", "fmt", "expected"),
    [
        ("1", 1, "PNG", (255, 255, 255)),
        ("L", 100, "PNG", (100, 100, 100)),
        ("L", 100, "JPEG", (100, 100, 100)),
        ("LA", (10, 0), "PNG", (255, 255, 255)),  # fully transparent: white
        ("LA", (10, 255), "PNG", (10, 10, 10)),
        ("RGBA", (200, 0, 0, 0), "PNG", (255, 255, 255)),
        ("RGBA", (200, 0, 0, 255), "PNG", (200, 0, 0)),
        ("RGBA", (0, 0, 200, 0), "WEBP", (255, 255, 255)),
        ("CMYK", (0, 0, 0, 255), "JPEG", (0, 0, 0)),
        ("CMYK", (0, 255, 255, 0), "JPEG", (255, 0, 0)),
        ("I;16", 32768, "PNG", (128, 128, 128)),  # 16-bit grey is scaled, not clipped
        ("I;16", 65535, "PNG", (255, 255, 255)),
        ("P", 1, "PNG", (255, 0, 0)),
    ],
)
def test_modes_become_rgb(mode: str, fill: object, fmt: str, expected: tuple[int, int, int]) -> None:
    img = Image.new(mode, (400, 250), fill)  # type: ignore[arg-type]
    if mode == "P":
        img.putpalette([0, 0, 0, 255, 0, 0])
    data = encode(img, fmt, lossless=True) if fmt == "WEBP" else encode(img, fmt)

    out = opened(clean_image(data, field=FIELD))

    assert out.mode == "RGB"
    pixel = out.getpixel((200, 125))
    assert isinstance(pixel, tuple)
    assert max(abs(p - e) for p, e in zip(pixel, expected, strict=True)) <= 4


def test_palette_transparency_becomes_white() -> None:
    img = Image.new("P", (400, 250), 0)
    img.putpalette([0, 0, 0, 255, 0, 0])
    img.paste(1, (0, 0, 200, 250))
    out = opened(clean_image(encode(img, "PNG", transparency=0), field=FIELD))
    left, right = out.getpixel((100, 125)), out.getpixel((300, 125))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[0] > 240 and left[1] < 20  # red stays red
    assert min(right) > 240  # transparent black turns white


@pytest.mark.parametrize(
    ("fmt", "size", "expected"),
    [
        ("PNG", (3000, 1000), (2400, 800)),
        ("JPEG", (4800, 600), (2400, 300)),  # decoded at reduced scale by libjpeg
        ("JPEG", (500, 4000), (300, 2400)),
        ("WEBP", (3600, 1000), (2400, 667)),
        ("JPEG", (2400, 2400), (2400, 2400)),  # at the limit: untouched
    ],
)
def test_downscales_longest_side(fmt: str, size: tuple[int, int], expected: tuple[int, int]) -> None:
    clean = clean_image(encode(scene(size), fmt), field=FIELD)
    assert (clean.width, clean.height) == expected
    assert opened(clean).size == expected


# --- read_limited ----------------------------------------------------------------------------


def test_read_limited_stops_at_the_first_chunk_past_the_limit() -> None:
    consumed = 0

    def endless() -> Iterator[bytes]:
        nonlocal consumed
        while True:
            consumed += 1
            yield b"abcd"

    with pytest.raises(DomainError) as info:
        read_limited(endless(), max_bytes=10, field=FIELD)
    assert info.value.code == "upload_too_large"
    assert info.value.field == FIELD
    assert info.value.status == 413
    assert consumed == 3  # 12 bytes > 10: the fourth chunk is never asked for


class CountingStream(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.remaining = size
        self.bytes_read = 0
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        n = self.remaining if size < 0 else min(size, self.remaining)
        self.remaining -= n
        self.bytes_read += n
        return b"x" * n


def test_read_limited_reads_a_file_object_only_up_to_the_limit() -> None:
    stream = CountingStream(10 * 1024 * 1024)
    with pytest.raises(DomainError) as info:
        read_limited(stream, max_bytes=100_000, field=FIELD)
    assert info.value.code == "upload_too_large"
    assert stream.bytes_read == 100_001


def test_read_limited_returns_everything_within_the_limit() -> None:
    assert read_limited(CountingStream(1000), max_bytes=1000, field=FIELD) == b"x" * 1000
    assert read_limited(io.BytesIO(b"hello"), max_bytes=5, field=FIELD) == b"hello"
    chunks = [b"ab", bytearray(b"cd"), memoryview(b"ef")]
    assert read_limited(chunks, max_bytes=6, field=FIELD) == b"abcdef"  # type: ignore[arg-type]
    assert read_limited([], max_bytes=6, field=FIELD) == b""
    assert read_limited(io.BytesIO(b""), max_bytes=0, field=FIELD) == b""


def test_read_limited_then_clean_image() -> None:
    data = valid_samples()["JPEG"]
    chunks = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    raw = read_limited(iter(chunks), max_bytes=DEFAULT_POLICY.max_bytes, field=FIELD)
    assert clean_image(raw, field=FIELD).width == 480


# --- dhash -----------------------------------------------------------------------------------


def test_dhash_survives_recompression_and_scaling() -> None:
    clean = clean_image(encode(scene((1200, 800), seed=7), "PNG"), field=FIELD)
    recompressed = encode(opened(clean), "JPEG", quality=60)
    rescaled = opened(clean).resize((900, 600), Image.Resampling.BILINEAR)

    again = clean_image(recompressed, field=FIELD)

    assert hamming_hex(clean.dhash, dhash_hex(Image.open(io.BytesIO(recompressed)))) <= 6
    assert hamming_hex(clean.dhash, again.dhash) <= 6
    assert hamming_hex(clean.dhash, dhash_hex(rescaled)) <= 6


def test_dhash_separates_different_pictures() -> None:
    hashes = [dhash_hex(scene((640, 400), seed=seed)) for seed in range(1, 7)]
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            assert hamming_hex(a, b) >= 16
    left_dark = Image.linear_gradient("L").rotate(90).resize((640, 400))
    assert hamming_hex(dhash_hex(left_dark), dhash_hex(ImageOps.mirror(left_dark))) >= 56


def test_dhash_format() -> None:
    assert dhash_hex(Image.new("RGB", (100, 100), "white")) == "0" * 16
    value = dhash_hex(scene())
    assert len(value) == 16
    assert value == value.lower()
    assert dhash_hex(scene()) == value  # deterministic


def test_hamming_hex() -> None:
    assert hamming_hex("0" * 16, "f" * 16) == 64
    assert hamming_hex("00ff", "00FF") == 0
    assert hamming_hex("0001", "0003") == 1
    for a, b in [("00", "000"), ("", ""), ("0x01", "0x02"), ("zz", "00"), ("0_1", "001")]:
        with pytest.raises(ValueError):
            hamming_hex(a, b)


# --- phash -----------------------------------------------------------------------------------


def _reference_phash(img: Image.Image, size: int) -> str:
    """The textbook definition, computed the slow way: DCT-II of the 32x32 grey picture, the
    top-left ``size`` x ``size`` coefficients, each bit 1 when above their median (DC left out of
    the median)."""
    import math

    n = 32
    px = img.convert("L").resize((n, n), Image.Resampling.LANCZOS).tobytes()
    coef = [
        [
            sum(
                px[y * n + x]
                * math.cos(math.pi * (2 * x + 1) * u / (2 * n))
                * math.cos(math.pi * (2 * y + 1) * v / (2 * n))
                for y in range(n)
                for x in range(n)
            )
            for u in range(size)
        ]
        for v in range(size)
    ]
    flat = [c for row in coef for c in row]
    median = sorted(flat[1:])[(len(flat) - 1) // 2]
    bits = "".join("1" if c > median else "0" for c in flat)
    return f"{int(bits, 2):0{size * size // 4}x}"


@pytest.mark.parametrize("size", [8, 12])
def test_phash_is_the_dct_hash(size: int) -> None:
    for seed in (1, 2, 3):
        picture = scene((300, 360), seed=seed)
        assert phash_hex(picture, size=size) == _reference_phash(picture, size)
    assert len(phash_hex(scene(), size=12)) == 36
    assert phash_hex(scene(), size=12) == phash_hex(scene(), size=12).lower()


def test_phash_survives_recompression_scaling_and_brightness() -> None:
    picture = scene((900, 1100), seed=5)
    base = phash_hex(picture, size=12)
    recompressed = Image.open(io.BytesIO(encode(picture, "JPEG", quality=50)))
    assert hamming_hex(base, phash_hex(recompressed, size=12)) <= 8
    assert hamming_hex(base, phash_hex(picture.resize((300, 367)), size=12)) <= 8
    brighter = picture.point(lambda v: min(255, int(v * 1.2)))
    assert hamming_hex(base, phash_hex(brighter, size=12)) <= 12


def test_phash_separates_different_pictures() -> None:
    hashes = [phash_hex(scene((300, 360), seed=seed), size=12) for seed in range(1, 8)]
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            assert hamming_hex(a, b) >= 40


def test_phash_size_is_checked() -> None:
    for size in (0, 1, 33):
        with pytest.raises(ValueError):
            phash_hex(scene(), size=size)


# --- fuzzing ---------------------------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.none() | st.floats(0, 1),
)
def test_mutated_files_give_an_image_or_a_known_refusal(
    fmt: str, edits: list[tuple[float, int]], cut: float | None
) -> None:
    data = bytearray(valid_samples()[fmt])
    for where, value in edits:
        data[min(len(data) - 1, int(where * len(data)))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    try:
        clean = clean_image(bytes(data), field=FIELD)
    except DomainError as error:
        assert error.code in KNOWN_CODES
        assert error.field == FIELD
    else:
        assert clean.width * clean.height > 0
        assert opened(clean).format == "JPEG"


@settings(max_examples=100, deadline=None, database=None)
@given(
    magic=st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x10\x00\x00WEBP"]),
    tail=st.binary(max_size=300),
)
def test_random_bytes_behind_a_magic_number_are_refused(magic: bytes, tail: bytes) -> None:
    with pytest.raises(DomainError) as info:
        clean_image(magic + tail, field=FIELD)
    assert info.value.code in KNOWN_CODES - {"upload_type_not_allowed"}
