"""Specimen ID card pictures for demo data, tests and benchmarks (clearly marked 样本 / SPECIMEN).

Drawn with Pillow; uses a CJK font when one is installed (Noto CJK), else Pillow's default.
"""

from __future__ import annotations

import io
import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]


@cache
def cjk_font_path() -> str | None:
    for path in _CJK_FONTS:
        if Path(path).exists():
            return path
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def card_front(
    *, name: str, id_number: str, gender: str = "男", seed: int = 0, size: tuple[int, int] = (1000, 630)
) -> bytes:
    """A JPEG of a specimen portrait side: name, gender, birth, address, number."""
    rng = random.Random(seed)
    w, _h = size
    img = Image.new("RGB", size, (236 + rng.randint(-8, 8), 240, 232 + rng.randint(-8, 8)))
    d = ImageDraw.Draw(img)
    s = w / 1000
    f, big = _font(int(34 * s)), _font(int(40 * s))
    birth = f"{id_number[6:10]}年{int(id_number[10:12])}月{int(id_number[12:14])}日" if len(id_number) == 18 else ""
    d.text((60 * s, 60 * s), f"姓名  {name}", fill=(20, 20, 20), font=big)
    d.text((60 * s, 140 * s), f"性别  {gender}    民族  汉", fill=(20, 20, 20), font=f)
    d.text((60 * s, 210 * s), f"出生  {birth}", fill=(20, 20, 20), font=f)
    d.text((60 * s, 280 * s), "住址  北京市朝阳区样本路1号", fill=(20, 20, 20), font=f)
    d.text((60 * s, 500 * s), f"公民身份号码  {id_number}", fill=(20, 20, 20), font=big)
    # a portrait placeholder area with some texture so hashes differ between seeds
    for _ in range(40):
        x, y = rng.randint(int(700 * s), int(940 * s)), rng.randint(int(80 * s), int(420 * s))
        d.ellipse((x, y, x + 20 * s, y + 20 * s), fill=(rng.randint(90, 200),) * 3)
    d.text((720 * s, 440 * s), "样本 SPECIMEN", fill=(180, 30, 30), font=f)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def card_back(*, seed: int = 0, size: tuple[int, int] = (1000, 630)) -> bytes:
    rng = random.Random(seed + 7919)
    w, h = size
    img = Image.new("RGB", size, (226, 236 + rng.randint(-8, 8), 244))
    d = ImageDraw.Draw(img)
    s = w / 1000
    f, big = _font(int(34 * s)), _font(int(52 * s))
    d.text((300 * s, 120 * s), "中华人民共和国", fill=(30, 30, 30), font=big)
    d.text((360 * s, 210 * s), "居民身份证", fill=(30, 30, 30), font=big)
    d.text((200 * s, 430 * s), "签发机关  样本公安分局", fill=(30, 30, 30), font=f)
    d.text((200 * s, 500 * s), f"有效期限  2020.01.01-2040.01.{rng.randint(10, 28)}", fill=(30, 30, 30), font=f)
    for _ in range(30):
        x, y = rng.randint(0, w - 30), rng.randint(0, h - 30)
        d.rectangle((x, y, x + 12 * s, y + 12 * s), outline=(rng.randint(120, 200),) * 3)
    d.text((60 * s, 60 * s), "样本 SPECIMEN", fill=(180, 30, 30), font=f)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def valid_id_number(*, region: str = "110105", birth: str = "19900307", sequence: int = 123) -> str:
    """A number that passes GB 11643-1999 (for specimens and tests only)."""
    from creditbank.accounts.id_numbers import check_char

    body = f"{region}{birth}{sequence:03d}"
    return body + check_char(body)
