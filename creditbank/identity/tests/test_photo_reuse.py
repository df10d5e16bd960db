"""The portrait hash of the photo-reuse check and its band look-up (no database)."""

from __future__ import annotations

import io
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageEnhance

from creditbank.identity import photo_reuse
from creditbank.identity.photo_reuse import (
    BAND_BITS,
    BANDS,
    HASH_BITS,
    PROBE_REACH,
    THRESHOLD,
    bands,
    distance,
    probes,
)
from creditbank.identity.specimens import card_back, card_front, valid_id_number
from creditbank.kernel.images import clean_image


def encode(img: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def front(seed: int, *, name: str = "张三", sequence: int = 123) -> Image.Image:
    data = card_front(name=name, id_number=valid_id_number(sequence=sequence), seed=seed)
    return Image.open(io.BytesIO(data)).convert("RGB")


def on_desk(card: Image.Image, *, angle: float, offset: tuple[int, int] = (0, 0)) -> Image.Image:
    """The card lying on a dark desk, turned by ``angle`` degrees: a photograph of it."""
    desk = Image.new("RGB", (1600, 1000), (60, 50, 45))
    face_up = card.resize((1300, 819), Image.Resampling.LANCZOS)
    mask = Image.new("L", face_up.size, 255)
    face_up = face_up.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    mask = mask.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    x, y = (1600 - face_up.width) // 2 + offset[0], (1000 - face_up.height) // 2 + offset[1]
    desk.paste(face_up, (x, y), mask)
    return desk


def hashes(img: Image.Image | bytes) -> photo_reuse.PortraitHashes:
    data = img if isinstance(img, bytes) else encode(img, quality=90)
    return photo_reuse.portrait_hashes(clean_image(data, field="id_front").data)


def looked_up(stored: photo_reuse.PortraitHashes, new: photo_reuse.PortraitHashes) -> int:
    """What the check compares: the stored (upright) hash with every hash the new photo looks up."""
    return min(distance(stored.upright, h) for h in new.all())


def test_the_same_photo_edited_stays_within_the_threshold() -> None:
    photo = on_desk(front(7), angle=1.5)
    original = hashes(photo)
    assert original.card_found
    assert len(original.upright) == HASH_BITS // 4
    edits = {
        "recompressed": encode(photo, quality=45),
        "png": encode(photo, "PNG"),
        "webp": encode(photo, "WEBP", quality=70),
        "smaller": encode(photo.resize((700, 438)), quality=85),
        "larger": encode(photo.resize((2200, 1375)), quality=85),
        "brighter": encode(ImageEnhance.Brightness(photo).enhance(1.25), quality=85),
        "darker": encode(ImageEnhance.Contrast(ImageEnhance.Brightness(photo).enhance(0.75)).enhance(1.15)),
        "cropped": encode(photo.crop((60, 35, 1560, 975)), quality=85),
        "rotated": encode(photo.rotate(-1.5, resample=Image.Resampling.BICUBIC).crop((30, 30, 1570, 970))),
        "upside down": encode(photo.rotate(180), quality=85),
        "standing up": encode(photo.rotate(90, expand=True), quality=85),
    }
    for name, data in edits.items():
        assert looked_up(original, hashes(data)) <= THRESHOLD, name


def test_the_straightened_card_does_not_depend_on_the_framing() -> None:
    # the same card picture lying differently on the desk: the card is found and straightened
    a = hashes(on_desk(front(8), angle=-2.5, offset=(-40, 20)))
    b = hashes(on_desk(front(8), angle=2.0, offset=(35, -25)))
    assert a.card_found and b.card_found
    assert looked_up(a, b) <= THRESHOLD


def test_different_people_are_far_apart_and_the_emblem_side_is_never_compared() -> None:
    people = [hashes(on_desk(front(seed, name=n, sequence=s), angle=a)) for seed, n, s, a in [
        (11, "王芳", 101, 1.0),
        (12, "李娜", 202, -1.0),
        (13, "张伟", 303, 2.0),
        (14, "刘洋", 404, 0.0),
        (15, "陈静", 505, -2.0),
    ]]  # fmt: skip
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            assert looked_up(a, b) > THRESHOLD + 10
    # different people's national-emblem sides are nearly the same picture (one national template)
    backs = [
        clean_image(encode(on_desk(Image.open(io.BytesIO(card_back(seed=s))), angle=0)), field="id_back")
        for s in (1, 2)
    ]
    from creditbank.kernel.images import hamming_hex

    assert hamming_hex(backs[0].dhash, backs[1].dhash) <= 6  # what made the old check fail for everyone


def test_a_photo_filling_the_frame_is_taken_whole() -> None:
    card = front(21)
    whole = hashes(card)
    assert not whole.card_found
    assert looked_up(whole, hashes(encode(card.resize((800, 504)), quality=60))) <= THRESHOLD


def test_a_photo_filling_the_frame_turned_in_an_editor_is_turned_back() -> None:
    card = front(22)
    original = hashes(card)
    assert original.alternatives == ()  # an ordinary photo looks up its two hashes only
    for angle in (1.5, -2.0, 0.8):
        turned = card.rotate(angle, resample=Image.Resampling.BICUBIC)  # black corners
        edited = hashes(encode(turned, quality=80))
        assert not edited.card_found
        assert len(edited.alternatives) == 2, angle
        assert looked_up(original, edited) <= THRESHOLD, angle
    # a dark frame all round is not a turned photo
    framed = Image.new("RGB", (1100, 720), (10, 10, 10))
    framed.paste(card.resize((1000, 630)), (50, 45))
    assert hashes(framed).alternatives == ()


def test_without_opencv_the_whole_photo_is_the_card(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import builtins

    real_import = builtins.__import__

    def no_cv2(name: str, *args: object, **kwargs: object) -> object:
        if name == "cv2":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_cv2)
    result = hashes(on_desk(front(9), angle=1.0))
    assert not result.card_found
    assert len(result.upright) == HASH_BITS // 4


def test_bands_split_the_hash() -> None:
    assert (BANDS, BAND_BITS) == (8, 18)
    value = "".join(f"{b:018b}" for b in (1, 2, 3, 4, 5, 6, 0x3FFFF, 0x2AAAA))
    assert bands(f"{int(value, 2):036x}") == [1, 2, 3, 4, 5, 6, 0x3FFFF, 0x2AAAA]
    assert bands("f" * 36) == [0x3FFFF] * 8
    assert len(probes("f" * 36)[0]) == 1 + BAND_BITS
    assert all(len(v) == 1 + BAND_BITS for v in probes("0123456789abcdef" * 2 + "fedc").values())


hash_values = st.integers(min_value=0, max_value=(1 << HASH_BITS) - 1)


@settings(max_examples=300, deadline=None)
@given(a=hash_values, flips=st.lists(st.integers(0, HASH_BITS - 1), max_size=PROBE_REACH, unique=True))
def test_every_hash_within_reach_shares_a_probed_band(a: int, flips: list[int]) -> None:
    assert THRESHOLD <= PROBE_REACH == 15
    b = a
    for bit in flips:
        b ^= 1 << bit
    ha, hb = f"{a:0{HASH_BITS // 4}x}", f"{b:0{HASH_BITS // 4}x}"
    assert distance(ha, hb) == len(flips)
    probed = probes(ha)
    assert any(value in probed[band] for band, value in enumerate(bands(hb)))


def test_hashes_further_apart_may_share_no_probed_band() -> None:
    # two bits flipped in every band: just out of reach, and nothing to probe
    a = random.Random(3).getrandbits(HASH_BITS)
    b = a
    for band in range(BANDS):
        b ^= 0b11 << (band * BAND_BITS)
    ha, hb = f"{a:036x}", f"{b:036x}"
    assert distance(ha, hb) == 2 * BANDS == PROBE_REACH + 1
    probed = probes(ha)
    assert not any(value in probed[band] for band, value in enumerate(bands(hb)))
