"""Whether an ID card photo is another account's: the hash behind the check ``photo_not_reused``.

What is compared. Only the portrait side, and on it only the personal region, the portrait: the
national-emblem side is one national template, and the labels and layout of the portrait side are
the same on every card, so whole-picture hashes of different people's cards are a few bits apart
(measured: bench/photo_reuse.py, BENCHMARKS.md). Steps:

1. Find the card in the photo and straighten it to ``CARD_SIZE`` (OpenCV: edges, then the
   largest convex four-cornered outline with a card's proportions, else the largest
   card-proportioned rectangle around an outline). Without OpenCV, or when no outline is found
   (the card fills the photo), the whole photo is taken as the card, turned to landscape.
2. Crop the portrait (``PORTRAIT_BOX``, fractions of the card) and take its ``HASH_BITS``-bit DCT
   perceptual hash (:func:`creditbank.kernel.images.phash_hex`).
3. The same for the card turned half round (a photo taken upside down), and, when no card was
   found but the photo has the dark corner triangles an editor leaves when it turns a picture, for
   the photo turned back by the angle those triangles show. These are only looked up, never stored.

Same-photo pairs (re-encoded, rescaled, slightly cropped or rotated, brighter or darker) stay
within ``THRESHOLD`` bits; different people's cards are further apart (the figures are in
BENCHMARKS.md). A new photograph of the same card is a different picture and is not what this
check finds: the ID-number uniqueness check and OCR cover that.

How it is looked up. The hash is ``BANDS`` bands of ``BAND_BITS`` bits, stored one row per band
(``PortraitHashBand``, indexed on band and value). Two hashes at most ``THRESHOLD`` bits apart
differ in at most ``PROBE_RADIUS`` bits in at least one band (pigeonhole: ``BANDS`` bands times
``PROBE_RADIUS + 1`` bits is more than ``THRESHOLD``), so a look-up asks for every value within
``PROBE_RADIUS`` bits of each band of the new hash and checks the few candidates exactly.
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Final, cast

from PIL import Image

from creditbank.kernel.images import hamming_hex, phash_hex

log = logging.getLogger(__name__)

#: The straightened card, in pixels (85.6 x 54 mm at 10 px/mm).
CARD_SIZE: Final = (856, 540)
#: Where the portrait is on the portrait side of a resident identity card (居民身份证), as
#: fractions of the card's width and height: left, top, right, bottom.
PORTRAIT_BOX: Final = (0.64, 0.10, 0.94, 0.69)
#: The hash: the 12 x 12 lowest DCT frequencies of the portrait.
HASH_SIZE: Final = 12
HASH_BITS: Final = HASH_SIZE * HASH_SIZE
BAND_BITS: Final = 18
BANDS: Final = HASH_BITS // BAND_BITS
PROBE_RADIUS: Final = 1
#: The probes find every stored hash up to this many bits away (pigeonhole).
PROBE_REACH: Final = BANDS * (PROBE_RADIUS + 1) - 1
#: Portrait hashes at most this many bits apart are the same picture (chosen from the figures in
#: BENCHMARKS.md, "Photo reuse check"; docs/adr/0010-photo-reuse-portrait-hash.md).
THRESHOLD: Final = 13

assert BANDS * BAND_BITS == HASH_BITS
assert THRESHOLD <= PROBE_REACH, "the probes would miss some hashes within the threshold"

#: A card's long side over its short side, with room for tilt and perspective.
_CARD_PROPORTIONS: Final = (1.3, 1.9)
#: The card covers at least this share of the photo, and not all of it (then the photo is the card).
_CARD_AREA: Final = (0.2, 0.98)
_DETECT_SIDE: Final = 800
#: The corner triangles of a turned photo: at most this grey, this uniform, turned this much.
_WEDGE_DARKEST: Final = 48
_WEDGE_CONTRAST: Final = 60
_EDITOR_ANGLES: Final = (0.2, 10.0)


@dataclass(frozen=True)
class PortraitHashes:
    """``upright`` is stored and looked up; ``turned`` (the card turned half round) and the
    ``alternatives`` (the photo turned back, when an editor had turned it) are looked up only."""

    upright: str
    turned: str
    card_found: bool
    alternatives: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return (self.upright, self.turned, *self.alternatives)


def portrait_hashes(jpeg: bytes) -> PortraitHashes:
    """The portrait hashes of a cleaned photo of the portrait side (see the module docstring)."""
    with Image.open(io.BytesIO(jpeg)) as opened:
        grey = opened.convert("L")
    card, found = _straighten(grey)
    alternatives: tuple[str, ...] = ()
    if not found:
        # A photo turned a little in an editor keeps uniform triangles in its corners; turned
        # back, its picture lines up with the original again.
        angle = _editor_rotation(grey)
        if angle is not None:
            alternatives = _hash_pair(_straighten(grey.rotate(-angle, resample=Image.Resampling.BICUBIC))[0])
    upright, turned = _hash_pair(card)
    return PortraitHashes(upright=upright, turned=turned, card_found=found, alternatives=alternatives)


def _hash_pair(card: Image.Image) -> tuple[str, str]:
    return (
        phash_hex(card.crop(_box(card.size, turned=False)), size=HASH_SIZE),
        phash_hex(card.crop(_box(card.size, turned=True)).rotate(180), size=HASH_SIZE),
    )


def _editor_rotation(grey: Image.Image) -> float | None:
    """The angle (degrees, counter-clockwise) by which the picture was turned inside its frame,
    read from the dark triangles that turning leaves in the corners; None if there are none.

    Turning by a small angle a about the centre leaves in each corner a triangle with one long leg
    along a border and one short one; its depth, measured along the long leg, falls by tan(a) per
    pixel. Counter-clockwise, the long leg is horizontal in the top-left and bottom-right corners.
    """
    w, h = grey.size
    px = grey.load()
    assert px is not None
    estimates = []
    for x, y, dx, dy, horizontal_means_ccw in (
        (0, 0, 1, 1, True),
        (w - 1, 0, -1, 1, False),
        (0, h - 1, 1, -1, False),
        (w - 1, h - 1, -1, -1, True),
    ):
        corner = cast(int, px[x, y])  # a grey ("L") picture: one int per pixel
        if corner > _WEDGE_DARKEST:
            continue

        def dark(i: int, j: int, corner: int = corner, x: int = x, y: int = y, dx: int = dx, dy: int = dy) -> bool:
            return cast(int, px[x + dx * i, y + dy * j]) < corner + _WEDGE_CONTRAST

        # the triangle's depth every few pixels along each border
        along_x = [(i, next((j for j in range(h // 3) if not dark(i, j)), h // 3)) for i in range(0, w // 2, 4)]
        along_y = [(j, next((i for i in range(w // 3) if not dark(i, j)), w // 3)) for j in range(0, h // 2, 4)]
        for profile, horizontal in ((along_x, True), (along_y, False)):
            points = [(t, d) for t, d in profile if d >= 2]
            if len(points) < 5 or profile[0][1] >= (h // 3 if horizontal else w // 3) or profile[-1][1] >= 2:
                continue  # not a triangle that ends along this border
            mean_t = sum(t for t, _ in points) / len(points)
            mean_d = sum(d for _, d in points) / len(points)
            spread = sum((t - mean_t) ** 2 for t, _ in points)
            slope = sum((t - mean_t) * (d - mean_d) for t, d in points) / spread if spread else 0.0
            if -1 < slope < 0:
                angle = math.degrees(math.atan(-slope))
                estimates.append(angle if horizontal == horizontal_means_ccw else -angle)
                break
    if len(estimates) < 2 or len({e > 0 for e in estimates}) != 1:
        return None
    angle = sorted(estimates)[len(estimates) // 2]
    return angle if _EDITOR_ANGLES[0] <= abs(angle) <= _EDITOR_ANGLES[1] else None


def bands(hash_hex: str) -> list[int]:
    """The hash as ``BANDS`` integers of ``BAND_BITS`` bits, most significant first."""
    value = int(hash_hex, 16)
    mask = (1 << BAND_BITS) - 1
    return [(value >> (BAND_BITS * (BANDS - 1 - i))) & mask for i in range(BANDS)]


def probes(*hashes: str) -> dict[int, set[int]]:
    """For each band, every value within ``PROBE_RADIUS`` bits of that band of any of ``hashes``."""
    flips = [0]
    for r in range(1, PROBE_RADIUS + 1):
        flips += [sum(1 << b for b in bits) for bits in combinations(range(BAND_BITS), r)]
    out: dict[int, set[int]] = {band: set() for band in range(BANDS)}
    for h in hashes:
        for band, value in enumerate(bands(h)):
            out[band].update(value ^ f for f in flips)
    return out


def distance(a: str, b: str) -> int:
    return hamming_hex(a, b)


def _box(size: tuple[int, int], *, turned: bool) -> tuple[int, int, int, int]:
    left, top, right, bottom = PORTRAIT_BOX
    if turned:  # the same region of a card lying upside down
        left, top, right, bottom = 1 - right, 1 - bottom, 1 - left, 1 - top
    w, h = size
    return round(w * left), round(h * top), round(w * right), round(h * bottom)


def _straighten(grey: Image.Image) -> tuple[Image.Image, bool]:
    card = _straighten_found_card(grey)
    if card is not None:
        return card, True
    whole = grey.rotate(90, expand=True) if grey.height > grey.width else grey
    return whole.resize(CARD_SIZE, Image.Resampling.LANCZOS), False


def _straighten_found_card(grey: Image.Image) -> Image.Image | None:
    try:
        import cv2
        import numpy as np
    except ImportError:  # OpenCV is optional: then the whole photo is taken as the card
        return None
    try:
        pixels = np.asarray(grey, dtype=np.uint8)
        corners = _find_card(pixels, cv2, np)
        if corners is None:
            return None
        w, h = CARD_SIZE
        target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
        return Image.fromarray(cv2.warpPerspective(pixels, matrix, CARD_SIZE, flags=cv2.INTER_AREA))
    except cv2.error:
        log.warning("card outline detection failed", exc_info=True)
        return None


def _find_card(pixels: Any, cv2: Any, np: Any) -> Any:
    """The card's corners (top-left, top-right, bottom-right, bottom-left; a long side on top) as a
    4 x 2 array in ``pixels``' coordinates, or None."""
    height, width = pixels.shape
    scale = min(1.0, _DETECT_SIDE / max(height, width))
    small = cv2.resize(
        pixels, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
    )
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 30, 90)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    area = float(small.shape[0] * small.shape[1])
    low, high = _CARD_AREA[0] * area, _CARD_AREA[1] * area

    def card_shaped(w: float, h: float) -> bool:
        long, short = max(w, h), min(w, h)
        return short > 0 and _CARD_PROPORTIONS[0] <= long / short <= _CARD_PROPORTIONS[1]

    # 1. the largest convex four-cornered outline with a card's proportions (keeps the perspective)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    best, best_area = None, 0.0
    for contour in contours:
        outline_area = float(cv2.contourArea(contour))
        if not low <= outline_area <= high or outline_area <= best_area:
            continue
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) != 4 or not cv2.isContourConvex(approx):
            continue
        (_, _), (w, h), _ = cv2.minAreaRect(approx)
        if card_shaped(w, h):
            best, best_area = approx.reshape(4, 2).astype(np.float64), outline_area
    if best is None:
        # 2. an outline with a gap: the largest card-shaped rectangle around an outer outline
        contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            rect = cv2.minAreaRect(contour)
            (_, _), (w, h), _ = rect
            if low <= w * h <= high and w * h > best_area and card_shaped(w, h):
                best, best_area = cv2.boxPoints(rect).astype(np.float64), float(w * h)
    if best is None:
        return None
    return _order(best / scale, np)


def _order(points: Any, np: Any) -> Any:
    """Corners clockwise from the top-left, turned so that the first side is a long one."""
    centre = points.mean(axis=0)
    angles = [math.atan2(p[1] - centre[1], p[0] - centre[0]) for p in points]
    ordered = points[np.argsort(angles)]
    ordered = np.roll(ordered, -int(np.argmin(ordered.sum(axis=1))), axis=0)
    if np.linalg.norm(ordered[1] - ordered[0]) < np.linalg.norm(ordered[3] - ordered[0]):
        ordered = np.roll(ordered, -1, axis=0)  # a card standing upright: a long side becomes the top
    return ordered
