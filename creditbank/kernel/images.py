"""The upload-safety gate for photos (ID cards now, proof files later).

Every uploaded image goes through :func:`clean_image` before anything else looks at it. The
gate trusts nothing the client says: the type is sniffed from the magic bytes (never from the
file name or the declared content type), the declared dimensions are checked before a single
pixel is decoded, and the picture is decoded and re-encoded from scratch, so no byte of the
original file (metadata, comments, trailing payloads, extra frames) survives.

Refusals are :class:`~creditbank.kernel.errors.DomainError` with ``field`` set and one of these
stable codes:

``upload_empty``
    Nothing was uploaded.
``upload_too_large``
    More than ``max_bytes`` (status 413; ``extra["max_bytes"]``).
``upload_type_not_allowed``
    Not JPEG, PNG or WebP by its magic bytes (``extra["accepted"]``).
``image_too_many_pixels``
    The header declares more than ``max_pixels`` pixels (``extra["max_pixels"]``).
``image_decompression_bomb``
    Pillow's own bomb guard tripped, or a compressed chunk inflates beyond Pillow's limits.
``image_corrupt``
    Truncated or damaged data: decoding failed.
``image_too_small``
    Below ``min_width`` x ``min_height`` after EXIF orientation (``extra`` has the numbers).
``image_animated``
    More than one frame (animated PNG or WebP).
``image_aspect_ratio``
    The long side divided by the short side is outside the policy's ``min_aspect`` ..
    ``max_aspect`` (either orientation; checked from the header, before decoding;
    ``extra`` has the limits and the size).

The messages are lazy translation strings without placeholders (formatting a lazy string would
evaluate it); the numbers a page may want to show are in ``DomainError.extra``.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import IO, Any, Final

from django.utils.translation import gettext_lazy as _
from PIL import Image

from creditbank.kernel.errors import DomainError, ErrorCode

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "DEFAULT_POLICY",
    "CleanImage",
    "ImagePolicy",
    "clean_image",
    "dhash_hex",
    "hamming_hex",
    "phash_hex",
    "read_limited",
    "sniff_image_format",
]

#: Input formats the gate accepts, as Pillow format names, with their content types.
ACCEPTED_CONTENT_TYPES: Final[dict[str, str]] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
}

_OUTPUT_CONTENT_TYPES: Final[dict[str, str]] = {"JPEG": "image/jpeg", "PNG": "image/png"}

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE: Final = b"\xff\xd8\xff"

#: EXIF orientation value -> the transpose that makes the picture upright (as ImageOps does).
_ORIENTATION_TRANSPOSE: Final[dict[int, Image.Transpose]] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG: Final = 0x0112

#: What Pillow raises while parsing or decoding damaged data (with LOAD_TRUNCATED_IMAGES off).
_DECODE_ERRORS: Final = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    struct.error,
    zlib.error,
)

#: Markers in Pillow's messages when a compressed PNG chunk would inflate past its limits.
_PILLOW_INFLATE_LIMITS: Final = ("MAX_TEXT_CHUNK", "MAX_TEXT_MEMORY")

#: What parsing damaged EXIF may raise; the orientation is then ignored.
_EXIF_ERRORS: Final = (*_DECODE_ERRORS, TypeError, KeyError, OverflowError)

_HEX_RE: Final = re.compile(r"[0-9a-fA-F]+")

_MSG_EMPTY = _("The file is empty. Please choose a photo and upload it again.")
_MSG_TOO_LARGE = _("The file is too large. Please upload a smaller file.")
_MSG_TYPE = _("This type of file is not accepted. Please upload a photo in JPEG, PNG or WebP format.")
_MSG_TOO_MANY_PIXELS = _(
    "The image resolution is too high. Please upload a photo with fewer pixels, "
    "for example one taken at a lower camera resolution."
)
_MSG_BOMB = _("This image cannot be processed safely. Please upload an ordinary photo in JPEG, PNG or WebP format.")
_MSG_CORRUPT = _(
    "The image is damaged or incomplete and cannot be read. Please upload the photo again or take a new one."
)
_MSG_TOO_SMALL = _(
    "The image resolution is too low. Please upload a sharper photo in which everything is clearly readable."
)
_MSG_ANIMATED = _("Animated images are not accepted. Please upload a single still photo in JPEG, PNG or WebP format.")
_MSG_ASPECT = _("The picture's proportions do not fit this kind of photo. Please photograph the whole document.")


@dataclass(frozen=True)
class ImagePolicy:
    """Limits for one kind of uploaded image.

    ``max_bytes`` bounds the upload, ``max_pixels`` the declared width times height (checked
    before decoding), ``min_width``/``min_height`` the upright picture (after EXIF orientation).
    The re-encoded picture's longest side is at most ``max_side_out``; it is written as
    ``output_format`` (``"JPEG"`` at ``jpeg_quality``, or lossless ``"PNG"``). ``min_aspect`` and
    ``max_aspect``, when set, bound the long side divided by the short side (in either
    orientation), checked from the header before decoding.
    """

    max_bytes: int = 8 * 1024 * 1024
    max_pixels: int = 25_000_000
    min_width: int = 400
    min_height: int = 250
    max_side_out: int = 2400
    output_format: str = "JPEG"
    jpeg_quality: int = 90
    min_aspect: float | None = None
    max_aspect: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "min_width", "min_height", "max_side_out"):
            if getattr(self, name) < 1:
                raise ValueError(f"ImagePolicy.{name} must be positive")
        if self.output_format not in _OUTPUT_CONTENT_TYPES:
            raise ValueError("ImagePolicy.output_format must be 'JPEG' or 'PNG'")
        if not 1 <= self.jpeg_quality <= 95:
            raise ValueError("ImagePolicy.jpeg_quality must be between 1 and 95")
        low, high = self.min_aspect or 1.0, self.max_aspect or float("inf")
        if low < 1 or high < low:
            raise ValueError("ImagePolicy needs 1 <= min_aspect <= max_aspect (long side / short side)")


#: The policy for ID-card photos.
DEFAULT_POLICY: Final = ImagePolicy()


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image that carries nothing of the uploaded file but its pixels.

    ``format`` and ``content_type`` describe ``data`` (the output, not the upload); ``width``
    and ``height`` are those of ``data``; ``dhash`` is the 64-bit difference hash of the cleaned
    picture as 16 hex digits (see :func:`dhash_hex`); ``sha256`` is the hex digest of ``data``.
    """

    data: bytes
    format: str
    content_type: str
    width: int
    height: int
    dhash: str
    sha256: str


def read_limited(
    stream: IO[bytes] | Iterable[bytes],
    *,
    max_bytes: int,
    field: str,
    chunk_size: int = 64 * 1024,
) -> bytes:
    """Read an upload into memory, refusing it as soon as it passes ``max_bytes``.

    ``stream`` is either a binary file object (anything with ``read``; read from its current
    position) or an iterable of byte chunks such as Django's ``UploadedFile.chunks()``. Prefer
    ``chunks()`` for Django uploads: it rewinds the file first. Reading stops at the first chunk
    that takes the total past ``max_bytes`` (``upload_too_large``, status 413); from a file object
    at most ``max_bytes + 1`` bytes are read. An empty stream gives ``b""``.
    """
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    buffer = bytearray()
    read = getattr(stream, "read", None)
    if callable(read):
        while True:
            chunk = read(min(chunk_size, max_bytes + 1 - len(buffer)))
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > max_bytes:
                raise _too_large(max_bytes, field)
    else:
        for chunk in stream:
            buffer += chunk
            if len(buffer) > max_bytes:
                raise _too_large(max_bytes, field)
    return bytes(buffer)


def sniff_image_format(data: bytes) -> str | None:
    """Return ``"JPEG"``, ``"PNG"`` or ``"WEBP"`` from the magic bytes of ``data``, else ``None``."""
    if data.startswith(_JPEG_SIGNATURE):
        return "JPEG"
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean_image(data: bytes, *, policy: ImagePolicy = DEFAULT_POLICY, field: str) -> CleanImage:
    """Check an uploaded image against ``policy`` and re-encode it without any metadata.

    Steps: refuse empty, oversized and non-image input; read the dimensions from the header and
    refuse too many pixels before decoding; refuse animations; decode fully (damaged or
    truncated data is refused, never patched up); apply the EXIF orientation; refuse pictures
    below the minimum size; flatten to RGB (transparency onto white, 16-bit greys scaled, CMYK
    converted); shrink the longest side to ``policy.max_side_out``; encode a fresh file with no
    EXIF, ICC profile, XMP or comment. Raises :class:`DomainError` with ``field=field``.
    """
    if not data:
        raise DomainError(ErrorCode.UPLOAD_EMPTY, _MSG_EMPTY, field=field)
    if len(data) > policy.max_bytes:
        raise _too_large(policy.max_bytes, field)
    kind = sniff_image_format(data)
    if kind is None:
        raise DomainError(
            ErrorCode.UPLOAD_TYPE_NOT_ALLOWED,
            _MSG_TYPE,
            field=field,
            extra={"accepted": sorted(ACCEPTED_CONTENT_TYPES.values())},
        )

    # PNG and WebP headers are read by hand first: Pillow's WebP opener allocates the canvas
    # when it opens the file, so the pixel limit must be enforced before Image.open.
    declared = _declared_size(kind, data)
    if declared is None and kind != "JPEG":
        raise DomainError(ErrorCode.IMAGE_CORRUPT, _MSG_CORRUPT, field=field)
    if declared is not None:
        _check_pixels(declared, policy, field)
        _check_aspect(declared, policy, field)

    with warnings.catch_warnings():
        # Locally: Pillow's bomb warning (more than Image.MAX_IMAGE_PIXELS) becomes an error;
        # its complaints about damaged metadata (UserWarning) are noise here, the metadata is
        # dropped anyway.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # No ``with``: closing the image would drop its pixels; a BytesIO needs no closing.
            img = Image.open(io.BytesIO(data), formats=[kind])
            width, height = img.size
            _check_pixels((width, height), policy, field)
            _check_aspect((width, height), policy, field)
            _check_pillow_limit(width * height, policy, field)
            if getattr(img, "n_frames", 1) > 1 and img.format != "MPO":
                # MPO (a camera JPEG with extra preview/depth pictures) keeps its first picture.
                raise DomainError(ErrorCode.IMAGE_ANIMATED, _MSG_ANIMATED, field=field)
            longest = max(width, height)
            if kind == "JPEG" and longest > policy.max_side_out:
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale, never below the output size.
                ratio = policy.max_side_out / longest
                img.draft(img.mode, (max(1, int(width * ratio)), max(1, int(height * ratio))))
            img.load()
            orientation = _orientation(img)
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            if width < policy.min_width or height < policy.min_height:
                raise DomainError(
                    ErrorCode.IMAGE_TOO_SMALL,
                    _MSG_TOO_SMALL,
                    field=field,
                    extra={
                        "min_width": policy.min_width,
                        "min_height": policy.min_height,
                        "width": width,
                        "height": height,
                    },
                )
            rgb = _to_rgb(img)
        except DomainError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Raised by Image.open from the declared size alone. If our own limit is the stricter
            # one the picture has too many pixels by our policy as well.
            limit = Image.MAX_IMAGE_PIXELS
            if limit is None or policy.max_pixels <= limit:
                raise _too_many_pixels(policy, field) from None
            raise DomainError(ErrorCode.IMAGE_DECOMPRESSION_BOMB, _MSG_BOMB, field=field) from None
        except _DECODE_ERRORS as exc:
            if isinstance(exc, ValueError) and any(m in str(exc) for m in _PILLOW_INFLATE_LIMITS):
                raise DomainError(ErrorCode.IMAGE_DECOMPRESSION_BOMB, _MSG_BOMB, field=field) from None
            raise DomainError(ErrorCode.IMAGE_CORRUPT, _MSG_CORRUPT, field=field) from None

    transpose = _ORIENTATION_TRANSPOSE.get(orientation)
    if transpose is not None:
        rgb = rgb.transpose(transpose)
    if max(rgb.size) > policy.max_side_out:
        ratio = policy.max_side_out / max(rgb.size)
        target = (max(1, round(rgb.width * ratio)), max(1, round(rgb.height * ratio)))
        rgb = rgb.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    # A brand-new image: no info dict, so the encoder has nothing to copy from the upload.
    fresh = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = io.BytesIO()
    if policy.output_format == "JPEG":
        fresh.save(out, format="JPEG", quality=policy.jpeg_quality, optimize=True, exif=b"")
    else:
        fresh.save(out, format="PNG", optimize=False, compress_level=6)
    encoded = out.getvalue()
    return CleanImage(
        data=encoded,
        format=policy.output_format,
        content_type=_OUTPUT_CONTENT_TYPES[policy.output_format],
        width=fresh.width,
        height=fresh.height,
        dhash=dhash_hex(fresh),
        sha256=hashlib.sha256(encoded).hexdigest(),
    )


def dhash_hex(img: Image.Image) -> str:
    """Return the 64-bit difference hash of ``img`` as 16 lowercase hex digits.

    The picture is turned grey and shrunk to 9x8; bit ``8*row + col`` (most significant first)
    is 1 when the pixel is brighter than its right neighbour. Small changes (re-compression,
    mild scaling) flip few bits; compare hashes with :func:`hamming_hex`.
    """
    grey = img if img.mode == "L" else img.convert("L")
    small = grey.resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    value = 0
    for row in range(8):
        for col in range(8):
            left = pixels[row * 9 + col]
            right = pixels[row * 9 + col + 1]
            value = (value << 1) | (left > right)
    return f"{value:016x}"


_PHASH_SIDE: Final = 32


@cache
def _dct_basis(size: int) -> tuple[tuple[float, ...], ...]:
    """cos(pi * (2x + 1) * u / 64) for the first ``size`` frequencies u of a 32-point DCT-II."""
    n = _PHASH_SIDE
    return tuple(tuple(math.cos(math.pi * (2 * x + 1) * u / (2 * n)) for x in range(n)) for u in range(size))


def phash_hex(img: Image.Image, *, size: int = 8) -> str:
    """Return the DCT perceptual hash of ``img``: ``size * size`` bits as lowercase hex digits.

    The picture is turned grey and shrunk to 32x32; of its two-dimensional DCT-II the
    ``size`` x ``size`` lowest frequencies are kept, and bit ``size*v + u`` (most significant
    first) is 1 when coefficient (u, v) is above the median of the kept coefficients other than
    the average (DC) one. Low frequencies describe the picture's layout of light and dark, so
    re-compression, rescaling and brightness changes flip few bits, while different pictures
    differ in about half of them. Compare with :func:`hamming_hex`.
    """
    if not 2 <= size <= _PHASH_SIDE:
        raise ValueError("phash_hex needs 2 <= size <= 32")
    n = _PHASH_SIDE
    grey = img if img.mode == "L" else img.convert("L")
    pixels = grey.resize((n, n), Image.Resampling.LANCZOS).tobytes()
    basis = _dct_basis(size)
    # separable: first along each row (x -> u), then down each column (y -> v)
    rows = [
        [sum(p * c for p, c in zip(pixels[y * n : (y + 1) * n], basis[u], strict=True)) for u in range(size)]
        for y in range(n)
    ]
    coefficients = [sum(rows[y][u] * basis[v][y] for y in range(n)) for v in range(size) for u in range(size)]
    median = sorted(coefficients[1:])[(len(coefficients) - 1) // 2]
    value = 0
    for c in coefficients:
        value = (value << 1) | (c > median)
    return f"{value:0{(size * size + 3) // 4}x}"


def hamming_hex(a: str, b: str) -> int:
    """Return the number of differing bits between two hex strings of the same length.

    Raises ``ValueError`` for empty strings, non-hex characters or different lengths.
    """
    if len(a) != len(b) or not _HEX_RE.fullmatch(a) or not _HEX_RE.fullmatch(b):
        raise ValueError("hamming_hex needs two hex strings of the same length")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _too_large(max_bytes: int, field: str) -> DomainError:
    return DomainError(
        ErrorCode.UPLOAD_TOO_LARGE, _MSG_TOO_LARGE, field=field, status=413, extra={"max_bytes": max_bytes}
    )


def _too_many_pixels(policy: ImagePolicy, field: str) -> DomainError:
    return DomainError(
        ErrorCode.IMAGE_TOO_MANY_PIXELS,
        _MSG_TOO_MANY_PIXELS,
        field=field,
        extra={"max_pixels": policy.max_pixels},
    )


def _check_pixels(size: tuple[int, int], policy: ImagePolicy, field: str) -> None:
    if size[0] * size[1] > policy.max_pixels:
        raise _too_many_pixels(policy, field)


def _check_aspect(size: tuple[int, int], policy: ImagePolicy, field: str) -> None:
    if policy.min_aspect is None and policy.max_aspect is None:
        return
    ratio = max(size) / max(1, min(size))
    if (policy.min_aspect is not None and ratio < policy.min_aspect) or (
        policy.max_aspect is not None and ratio > policy.max_aspect
    ):
        raise DomainError(
            ErrorCode.IMAGE_ASPECT_RATIO,
            _MSG_ASPECT,
            field=field,
            extra={
                "min_aspect": policy.min_aspect,
                "max_aspect": policy.max_aspect,
                "width": size[0],
                "height": size[1],
            },
        )


def _check_pillow_limit(pixels: int, policy: ImagePolicy, field: str) -> None:
    # The same threshold as Pillow's DecompressionBombWarning, checked explicitly so the gate
    # does not depend on the (process-wide) warning filters alone.
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and pixels > limit:
        raise DomainError(ErrorCode.IMAGE_DECOMPRESSION_BOMB, _MSG_BOMB, field=field)


def _declared_size(kind: str, data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG or WebP header without decoding; ``None`` if unreadable.

    Returns ``None`` for JPEG, whose dimensions Pillow reads from the SOF marker on open
    without allocating the picture.
    """
    if kind == "PNG":
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if kind == "WEBP":
        chunk = data[12:16]
        if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
            width, height = struct.unpack("<HH", data[26:30])
            return width & 0x3FFF, height & 0x3FFF
        if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X" and len(data) >= 30:
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
    return None


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation (1 to 8); 1 when absent or unreadable (metadata is dropped anyway)."""
    try:
        value: Any = img.getexif().get(_EXIF_ORIENTATION_TAG, 1)
        orientation = int(value)
    except _EXIF_ERRORS:  # damaged EXIF must not sink an otherwise good picture
        return 1
    return orientation if orientation in _ORIENTATION_TRANSPOSE else 1


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten any decoded mode to 8-bit RGB; transparent parts become white."""
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in ("I", "F") or mode.startswith("I;16"):
        # 16-bit greys (PNG) hold 0..65535; scale to 0..255 rather than clipping to white.
        wide = img.convert("I") if mode.startswith("I;16") else img
        return wide.point(lambda v: v / 256).convert("L").convert("RGB")
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")
