"""How far apart the portrait hashes of the photo-reuse check are, for the same photo and for
different people (creditbank/identity/photo_reuse.py).

    python bench/photo_reuse.py [--people 60] [--variants 4] [--no-write]

Builds two populations of ID card portrait sides, each card photographed once (on a desk, tilted
up to 3 degrees, blur and noise, JPEG q88; one photo in four is the card filling the frame):

* specimen: ``creditbank.identity.specimens.card_front`` (its portrait area is a random texture
  per seed), different names, numbers and seeds;
* drawn faces: the same cards with a drawn head and shoulders as the portrait (head position and
  size, face shape, hair style, skin tone, clothes, background vary): portraits that share their
  structure, as real ID photos do, so a harder test.

Same-photo pairs: each photo re-used with random edits: re-encoded (JPEG q40-95, PNG or WebP),
rescaled (0.45-1.4), brighter or darker (0.75-1.25) with more or less contrast, cropped up to 4 %
per side and rotated up to 2 degrees (wedges cropped), never cutting into the card (a reviewer
would refuse a card cut off). Different-people pairs: every pair of photos of a population.
Every photo goes through ``creditbank.kernel.images.clean_image`` first, as an upload does.

Prints the distance distributions and the threshold's margins, and writes them into BENCHMARKS.md
under "## Photo reuse check" (unless --no-write). The old check (64-bit dHash of the whole picture,
both sides against both sides, distance <= 6) is measured on the same photos for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter  # noqa: E402

from creditbank.identity import photo_reuse  # noqa: E402
from creditbank.identity.specimens import card_back, card_front, valid_id_number  # noqa: E402
from creditbank.kernel.images import clean_image, hamming_hex  # noqa: E402

SECTION = "## Photo reuse check"
OLD_THRESHOLD = 6
LOAD = os.getloadavg()
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"
REGIONS = ["110105", "310104", "440106", "510107", "330106", "420111"]


# --------------------------------------------------------------------------- cards and photos


def person(rng: random.Random) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    birth = f"19{rng.randint(60, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    number = valid_id_number(region=rng.choice(REGIONS), birth=birth, sequence=rng.randrange(1000))
    return name, number, rng.choice("男女")


def drawn_face(rng: random.Random, size: tuple[int, int] = (240, 300)) -> Image.Image:
    """Head and shoulders on a light background, as an ID photo is framed; parameters per person."""
    w, h = size
    img = Image.new("RGB", size, rng.choice([(250, 250, 250), (235, 240, 250), (245, 245, 240), (225, 235, 250)]))
    d = ImageDraw.Draw(img)
    cx, cy = w / 2 + rng.uniform(-12, 12), h * 0.42 + rng.uniform(-12, 12)
    hw, hh = w * rng.uniform(0.26, 0.34), h * rng.uniform(0.28, 0.34)
    cloth = tuple(rng.randint(10, 120) for _ in range(3))
    sw = w * rng.uniform(0.40, 0.52)
    d.polygon(
        [(cx - sw, h), (cx - sw * 0.8, cy + hh * 1.25), (cx + sw * 0.8, cy + hh * 1.25), (cx + sw, h)], fill=cloth
    )
    skin = (rng.randint(190, 240), rng.randint(150, 200), rng.randint(120, 170))
    d.rectangle((cx - hw * 0.35, cy + hh * 0.7, cx + hw * 0.35, cy + hh * 1.35), fill=skin)
    hair = (rng.randint(5, 60),) * 3
    style = rng.randrange(3)
    if style == 2:  # long hair
        d.rectangle((cx - hw * 1.15, cy - hh * 0.6, cx + hw * 1.15, cy + hh * rng.uniform(0.8, 1.4)), fill=hair)
    d.ellipse((cx - hw * 1.1, cy - hh * 1.15, cx + hw * 1.1, cy + hh * (0.3 if style else 0.1)), fill=hair)
    d.ellipse((cx - hw, cy - hh * 0.85, cx + hw, cy + hh), fill=skin)
    if style == 1:  # a fringe
        d.chord((cx - hw, cy - hh * 0.95, cx + hw, cy - hh * 0.1), 180, 360, fill=hair)
    ey, ex = cy - hh * rng.uniform(0.05, 0.2), hw * rng.uniform(0.35, 0.5)
    for side in (-1, 1):
        d.ellipse((cx + side * ex - 9, ey - 5, cx + side * ex + 9, ey + 5), fill=(30, 30, 30))
        d.line((cx + side * ex - 12, ey - 14, cx + side * ex + 12, ey - 16), fill=hair, width=4)
    my = cy + hh * rng.uniform(0.45, 0.6)
    d.line((cx - hw * 0.3, my, cx + hw * 0.3, my), fill=(150, 70, 70), width=4)
    d.line((cx, ey + 10, cx - 4, my - 18), fill=tuple(c - 40 for c in skin), width=3)
    return img


def card(rng: random.Random, *, faces: bool) -> Image.Image:
    name, number, gender = person(rng)
    data = card_front(name=name, id_number=number, gender=gender, seed=rng.randrange(10**6))
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    if faces:
        picture.paste(drawn_face(rng), (700, 70))
    return picture


def photograph(picture: Image.Image, rng: random.Random) -> tuple[bytes, tuple[int, int, int, int]]:
    """The card on a desk (or filling the frame), tilted, blurred, with noise; and where the card is."""
    size = (1600, 1000)
    if rng.random() < 0.25:  # the card fills the frame
        photo = picture.resize(size, Image.Resampling.LANCZOS)
        box = (0, 0, *size)
    else:
        desk = Image.linear_gradient("L").resize(size).convert("RGB")
        desk = Image.blend(desk, Image.new("RGB", size, tuple(rng.randint(40, 160) for _ in range(3))), 0.6)
        width = rng.randrange(1250, 1450)
        face_up = picture.resize((width, round(width * 0.63)), Image.Resampling.LANCZOS)
        mask = Image.new("L", face_up.size, 255)
        angle = rng.uniform(-3, 3)
        face_up = face_up.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        mask = mask.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        x = (size[0] - face_up.width) // 2 + rng.randrange(-40, 40)
        y = (size[1] - face_up.height) // 2 + rng.randrange(-30, 30)
        desk.paste(face_up, (x, y), mask)
        photo, box = desk, (x, y, x + face_up.width, y + face_up.height)
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
    photo = Image.blend(photo, Image.effect_noise(size, rng.uniform(6, 12)).convert("RGB"), 0.06)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=88)
    return out.getvalue(), box


def reuse(data: bytes, box: tuple[int, int, int, int], rng: random.Random) -> tuple[bytes, list[str]]:
    """The same photo, edited as someone re-using it might; never cutting into the card."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = img.size
    x0, y0, x1, y1 = box
    edits = []
    if rng.random() < 0.5:
        angle = rng.uniform(-2, 2)
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC)
        m = math.sin(math.radians(abs(angle)))
        cx = max(0, min(int(h * m) + 2, x0 - 4, w - x1 - 4))
        cy = max(0, min(int(w * m) + 2, y0 - 4, h - y1 - 4))
        img = img.crop((cx, cy, w - cx, h - cy))
        x0, y0, x1, y1 = x0 - cx, y0 - cy, x1 - cx, y1 - cy
        w, h = img.size
        edits.append("rotated")
    if rng.random() < 0.7:
        cut = [rng.uniform(0, max(0, min(0.04 * w, x0))), rng.uniform(0, max(0, min(0.04 * h, y0)))]
        cut += [rng.uniform(0, max(0, min(0.04 * w, w - x1))), rng.uniform(0, max(0, min(0.04 * h, h - y1)))]
        if any(c >= 1 for c in cut):
            img = img.crop((int(cut[0]), int(cut[1]), w - int(cut[2]), h - int(cut[3])))
            edits.append("cropped")
    if rng.random() < 0.7:
        s = rng.uniform(0.45, 1.4)
        img = img.resize((round(img.width * s), round(img.height * s)), Image.Resampling.BICUBIC)
        edits.append("rescaled")
    if rng.random() < 0.7:
        img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.75, 1.25))
        img = ImageEnhance.Contrast(img).enhance(rng.uniform(0.85, 1.2))
        edits.append("brightness")
    fmt = rng.choice(["JPEG", "JPEG", "PNG", "WEBP"])
    out = io.BytesIO()
    img.save(out, fmt, **({} if fmt == "PNG" else {"quality": rng.randint(40, 95)}))
    edits.append(f"re-encoded {fmt}")
    return out.getvalue(), edits


# --------------------------------------------------------------------------- measurement


def percentile(values: list[int], p: float) -> int:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def look_up_distance(stored: photo_reuse.PortraitHashes, new: photo_reuse.PortraitHashes) -> int:
    """What the check compares: the stored upright hash with every hash the new photo looks up."""
    return min(photo_reuse.distance(stored.upright, h) for h in new.all())


def measure(name: str, *, faces: bool, people: int, variants: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    photos, backs, hashes, old, timings = [], [], [], [], []
    for _ in range(people):
        data, box = photograph(card(rng, faces=faces), rng)
        back_data, _ = photograph(Image.open(io.BytesIO(card_back(seed=rng.randrange(10**6)))).convert("RGB"), rng)
        front, back = clean_image(data, field="id_front"), clean_image(back_data, field="id_back")
        started = time.perf_counter()
        hashes.append(photo_reuse.portrait_hashes(front.data))
        timings.append((time.perf_counter() - started) * 1000)
        photos.append((data, box))
        backs.append(back)
        old.append((front.dhash, back.dhash))
    same, same_edits, found = [], [], 0
    for i, (data, box) in enumerate(photos):
        for _ in range(variants):
            edited, edits = reuse(data, box, rng)
            new = photo_reuse.portrait_hashes(clean_image(edited, field="id_front").data)
            found += new.card_found
            same.append(look_up_distance(hashes[i], new))
            same_edits.append(edits)
    different, old_flagged = [], 0
    for i in range(people):
        for j in range(i + 1, people):
            different.append(min(look_up_distance(hashes[i], hashes[j]), look_up_distance(hashes[j], hashes[i])))
            old_flagged += any(hamming_hex(a, b) <= OLD_THRESHOLD for a in old[i] for b in old[j])
    return {
        "name": name,
        "people": people,
        "same": same,
        "same_edits": same_edits,
        "different": different,
        "old_flagged": old_flagged,
        "originals_found": sum(h.card_found for h in hashes),
        "variants_found": found,
        "timings": timings,
    }


def stats(values: list[int]) -> str:
    return " | ".join(
        str(v)
        for v in (
            min(values),
            percentile(values, 1),
            percentile(values, 5),
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            max(values),
        )
    )


def unrotated(r: dict[str, object]) -> list[int]:
    return [d for d, e in zip(r["same"], r["same_edits"], strict=True) if "rotated" not in e]  # type: ignore[call-overload]


def report(results: list[dict[str, object]], command: str) -> str:
    t = photo_reuse.THRESHOLD
    lines = [
        SECTION,
        "",
        f"- Command: `{command}`",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"Pillow {Image.__version__}",
        f"- Hash: {photo_reuse.HASH_BITS}-bit DCT perceptual hash of the portrait "
        f"(x {photo_reuse.PORTRAIT_BOX[0]:.2f}-{photo_reuse.PORTRAIT_BOX[2]:.2f}, "
        f"y {photo_reuse.PORTRAIT_BOX[1]:.2f}-{photo_reuse.PORTRAIT_BOX[3]:.2f} of the straightened card); "
        f"threshold {t} bits; look-up: {photo_reuse.BANDS} bands of {photo_reuse.BAND_BITS} bits, "
        f"values within {photo_reuse.PROBE_RADIUS} bit probed",
        "- Photos: 1600x1000 JPEG q88, the card on a desk (tilted up to 3 degrees) or, one in four, "
        "filling the frame; same-photo edits: re-encoded (JPEG q40-95, PNG, WebP), rescaled 0.45-1.4, "
        "brightness 0.75-1.25 and contrast 0.85-1.2, cropped up to 4 % per side and rotated up to 2 degrees "
        "without cutting into the card; different people: every pair",
        "",
        "Hamming distance in bits (min | p1 | p5 | p50 | p95 | p99 | max):",
        "",
        "| population | pairs | min | p1 | p5 | p50 | p95 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        same, different = r["same"], r["different"]
        assert isinstance(same, list) and isinstance(different, list)
        lines.append(f"| {r['name']}: same photo | {len(same)} | {stats(same)} |")
        lines.append(f"| {r['name']}: different people | {len(different)} | {stats(different)} |")
    lines += [
        "",
        f"With the threshold of {t} bits:",
        "",
        "| population | same photo found (<= threshold) | different people flagged | margin to same photos | margin to different people "
        f"| old check: different people flagged (<= {OLD_THRESHOLD}, any side) | card outline found (originals, edited) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        same, different = r["same"], r["different"]
        assert isinstance(same, list) and isinstance(different, list)
        caught = sum(d <= t for d in same)
        flagged = sum(d <= t for d in different)
        people = int(r["people"])  # type: ignore[call-overload]
        lines.append(
            f"| {r['name']} | {caught}/{len(same)} ({100 * caught / len(same):.1f} %) "
            f"| {flagged}/{len(different)} | {t - max(unrotated(r))} bits above the farthest unrotated same photo "
            f"| {min(different) - t} bits below the nearest different people "
            f"| {r['old_flagged']}/{len(different)} ({100 * int(r['old_flagged']) / len(different):.0f} %) "  # type: ignore[call-overload]
            f"| {r['originals_found']}/{people}, {r['variants_found']}/{len(same)} |"
        )
    lines += [
        "",
        "Same photo, by whether the edit rotated it (min | p1 | p5 | p50 | p95 | p99 | max):",
        "",
        "| population | edits | pairs | min | p1 | p5 | p50 | p95 | p99 | max | found |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for label, rotated in (("not rotated", False), ("rotated", True)):
            part = [
                d
                for d, e in zip(r["same"], r["same_edits"], strict=True)  # type: ignore[call-overload]
                if ("rotated" in e) == rotated
            ]
            if part:
                lines.append(
                    f"| {r['name']} | {label} | {len(part)} | {stats(part)} | {sum(d <= t for d in part)}/{len(part)} |"
                )
    lines += [
        "",
        "Other thresholds (same photo found / different people flagged):",
        "",
        "| threshold | " + " | ".join(str(r["name"]) for r in results) + " |",
        "| ---: | " + " | ".join("---:" for _ in results) + " |",
    ]
    for candidate in range(t - 4, t + 9, 2):
        cells = []
        for r in results:
            same, different = r["same"], r["different"]
            assert isinstance(same, list) and isinstance(different, list)
            cells.append(
                f"{sum(d <= candidate for d in same)}/{len(same)} / {sum(d <= candidate for d in different)}/{len(different)}"
            )
        lines.append(f"| {candidate}{' (chosen)' if candidate == t else ''} | " + " | ".join(cells) + " |")
    timings = [v for r in results for v in r["timings"]]  # type: ignore[attr-defined]
    lines += [
        "",
        f"Hashing one cleaned portrait side (find the card, straighten, two hashes): p50 {percentile(timings, 50):.0f} ms, "
        f"p95 {percentile(timings, 95):.0f} ms (load average before/after: {LOAD[0]:.1f} / {os.getloadavg()[0]:.1f}).",
        "",
        "Misses (same photo above the threshold), by edit:",
        "",
    ]
    for r in results:
        missed = [
            (d, e)
            for d, e in zip(r["same"], r["same_edits"], strict=True)  # type: ignore[call-overload]
            if d > t
        ]
        text = "; ".join(f"{d} bits ({', '.join(e)})" for d, e in sorted(missed, reverse=True)) or "none"
        lines.append(f"- {r['name']}: {text}")
    lines.append("")
    return "\n".join(lines)


def write_section(text: str, path: Path) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=60, help="cards per population (default 60)")
    parser.add_argument("--variants", type=int, default=4, help="edited re-uses per photo (default 4)")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    if args.people < 2 or args.variants < 1:
        parser.error("--people must be at least 2 and --variants at least 1")
    results = [
        measure("specimen", faces=False, people=args.people, variants=args.variants, seed=args.seed),
        measure("drawn faces", faces=True, people=args.people, variants=args.variants, seed=args.seed + 1),
    ]
    command = "python bench/photo_reuse.py" + "".join(f" {arg}" for arg in sys.argv[1:] if arg != "--no-write")
    text = report(results, command)
    print(text)
    if not args.no_write:
        write_section(text, args.output)
        print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
