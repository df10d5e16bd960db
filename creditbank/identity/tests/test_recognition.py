"""Recognition checks on synthetic ID card images (no database, no network).

The card text is drawn with Noto Sans CJK from Debian's ``fonts-noto-cjk`` package; set
``CREDITBANK_CJK_FONT`` to use another CJK font file. Without one the OCR tests fail.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from creditbank.identity import recognition
from creditbank.identity.recognition import (
    CheckStatus,
    detect_face,
    mask_id_number,
    ocr_card,
)
from creditbank.kernel import masking

DEFAULT_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_INDEX_SC = 2  # "Noto Sans CJK SC" inside the collection
FACE = Path(__file__).parent / "data" / "astronaut_face.jpg"

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check_char(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


NUMBER = with_check_char("11010519900101123")  # 110105199001011232
OTHER_NUMBER = with_check_char("31010419851212456")
#: A number whose check character is X.
X_NUMBER = next(n for n in (with_check_char(f"11010519900101{seq:03d}") for seq in range(1000)) if n[-1] == "X")
NAME = "张三"


@pytest.fixture(autouse=True)
def _ocr_on(settings) -> None:  # type: ignore[no-untyped-def]
    """The test settings turn OCR off for the whole suite; these tests are about it."""
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_OCR": True}


@pytest.fixture(scope="session")
def cjk_font_path() -> str:
    path = os.environ.get("CREDITBANK_CJK_FONT", DEFAULT_FONT)
    if not Path(path).is_file():
        pytest.fail(
            f"CJK font not found at {path}: install Debian's fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or set CREDITBANK_CJK_FONT to a CJK font file",
            pytrace=False,
        )
    return path


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    index = FONT_INDEX_SC if path.endswith(".ttc") else 0
    return ImageFont.truetype(path, size, index=index)


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def make_card(font_path: str, *, name: str = NAME, number: str = NUMBER, face: bool = False) -> bytes:
    """A 1000x630 portrait side of a resident ID card, laid out like the real one."""
    card = Image.new("RGB", (1000, 630), (238, 241, 233))
    draw = ImageDraw.Draw(card)
    label, text = (90, 90, 90), (20, 20, 20)
    font, big = _font(font_path, 34), _font(font_path, 40)
    draw.text((60, 60), "姓名", fill=label, font=font)
    draw.text((170, 60), name, fill=text, font=font)
    draw.text((60, 130), "性别  男    民族  汉", fill=text, font=font)
    draw.text((60, 200), "出生  1990年1月1日", fill=text, font=font)
    draw.text((60, 270), "住址  北京市朝阳区建国路1号", fill=text, font=font)
    draw.text((60, 520), "公民身份号码", fill=label, font=font)
    draw.text((300, 515), number, fill=text, font=big)
    if face:
        portrait = Image.open(FACE).convert("RGB").resize((240, 298))
        card.paste(portrait, (700, 60))
    else:
        draw.rectangle((700, 60, 940, 358), outline=(160, 160, 160), width=3)
    return jpeg(card)


def blank(size: tuple[int, int] = (1000, 630)) -> bytes:
    return jpeg(Image.new("RGB", size, (238, 241, 233)))


# --------------------------------------------------------------------------- OCR


def test_ocr_reads_number_and_name(cjk_font_path):
    result = ocr_card(make_card(cjk_font_path), declared_name=NAME, declared_id_number=NUMBER)
    assert result.status is CheckStatus.PASSED, result
    assert result.data["id_number_match"] is True
    assert result.data["name_found"] is True
    assert result.data["reason"] == "match"


def test_ocr_accepts_declared_number_in_other_forms(cjk_font_path):
    card = make_card(cjk_font_path, number=X_NUMBER)
    # Full width, spaces and a lower-case x, as a person may type it.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in X_NUMBER[:-1])
    declared = f"{full_width[:6]} {full_width[6:14]} {full_width[14:]}x"
    result = ocr_card(card, declared_name=f" {NAME} ", declared_id_number=declared)
    assert result.status is CheckStatus.PASSED, result


def test_ocr_different_declared_number_fails_and_masks(cjk_font_path, caplog):
    caplog.set_level(logging.DEBUG)
    result = ocr_card(make_card(cjk_font_path), declared_name=NAME, declared_id_number=OTHER_NUMBER)
    assert result.status is CheckStatus.FAILED, result
    assert result.data["found_id_number_masked"] == "110105********1232"
    assert result.data["id_number_match"] is False
    text = result.detail + repr(result.data) + caplog.text
    assert NUMBER not in text
    assert OTHER_NUMBER not in text


def test_ocr_name_not_read_is_a_warning(cjk_font_path):
    result = ocr_card(make_card(cjk_font_path), declared_name="李四", declared_id_number=NUMBER)
    assert result.status is CheckStatus.WARNING, result
    assert result.data["id_number_match"] is True
    assert result.data["reason"] == "name_not_found"


def test_ocr_blank_image_finds_nothing():
    result = ocr_card(blank(), declared_name=NAME, declared_id_number=NUMBER)
    assert result.status is CheckStatus.WARNING, result
    assert result.data["id_number_found"] is False
    assert result.data["name_found"] is False
    assert result.data["reason"] == "id_number_not_found"


def test_ocr_disabled_by_the_policy(settings, cjk_font_path):
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_OCR": False}
    result = ocr_card(make_card(cjk_font_path), declared_name=NAME, declared_id_number=NUMBER)
    assert result.status is CheckStatus.NOT_RUN
    assert result.data == {"reason": "disabled"}
    assert result.detail == "OCR is disabled by the deployment's policy (POLICY_VERIFICATION_OCR)."
    assert recognition.ocr_available() is False
    assert recognition.warm_up() is False


def test_the_environment_switch_of_old_is_not_read(monkeypatch):
    monkeypatch.setenv("CREDITBANK_OCR", "off")
    assert recognition.ocr_available() is True


@pytest.mark.parametrize(("wanted", "threads"), [(1, 1), (2, 2), (64, os.cpu_count() or 1)], ids=["1", "2", "cpus"])
def test_ocr_threads_come_from_the_policy(settings, monkeypatch, wanted, threads):
    monkeypatch.setenv("CREDITBANK_OCR_THREADS", "7")  # no longer read
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_OCR_THREADS": wanted}
    params = recognition._engine_params(Path("/models"))
    assert params["EngineConfig.onnxruntime.intra_op_num_threads"] == min(threads, os.cpu_count() or 1)


def test_ocr_missing_package_is_not_run(monkeypatch, cjk_font_path):
    monkeypatch.setattr(recognition, "_ocr_engine", None)
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # makes `import rapidocr` fail
    result = ocr_card(make_card(cjk_font_path), declared_name=NAME, declared_id_number=NUMBER)
    assert result.status is CheckStatus.NOT_RUN
    assert result.data["reason"] == "unavailable"
    assert recognition.ocr_available() is False


def test_ocr_engine_error_is_not_run(monkeypatch):
    class Broken:
        def __call__(self, image):
            raise RuntimeError("boom")

    monkeypatch.setattr(recognition, "_ocr_engine", Broken())
    result = ocr_card(blank(), declared_name=NAME, declared_id_number=NUMBER)
    assert result.status is CheckStatus.NOT_RUN
    assert result.data["reason"] == "error"


def test_ocr_undecodable_bytes_is_not_run():
    result = ocr_card(b"not a jpeg", declared_name=NAME, declared_id_number=NUMBER)
    assert result.status is CheckStatus.NOT_RUN
    assert result.data["reason"] == "undecodable"


def test_ocr_engine_loads_bundled_models_without_download(monkeypatch):
    from rapidocr.utils.download_file import DownloadFile

    def no_download(cls, *args, **kwargs):
        raise AssertionError("rapidocr tried to download a file")

    monkeypatch.setattr(DownloadFile, "run", classmethod(no_download))
    monkeypatch.setattr(recognition, "_ocr_engine", None)
    assert recognition.ocr_available() is True
    assert recognition.warm_up() is True
    engine = recognition._ocr_engine
    assert engine is not None
    assert engine.cfg.Det.model_path.endswith("PP-OCRv6_det_small.onnx")
    assert engine.cfg.Rec.model_path.endswith("PP-OCRv6_rec_small.onnx")
    assert 1 <= engine.cfg.EngineConfig.onnxruntime.intra_op_num_threads <= 2
    for model in (engine.text_det, engine.text_rec):  # both loaded, without spin-waiting threads
        options = model.session.session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    from rapidocr.inference_engine.onnxruntime.main import OrtInferSession

    assert OrtInferSession._init_sess_opts.__name__ == "_init_sess_opts"  # the hook is restored


def test_judge_misread_number_is_a_warning():
    misread = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    result = recognition._judge([f"公民身份号码{misread}", "姓名张三"], NAME, OTHER_NUMBER, 1)
    assert result.status is CheckStatus.WARNING
    assert result.data["reason"] == "id_number_unreadable"
    assert misread not in result.detail


def test_judge_normalises_full_width_and_name_separators():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in NUMBER)
    result = recognition._judge(["姓名 买买提.艾力", f"公民身份号码 {full_width}"], "买买提·艾力", NUMBER, 1)
    assert result.status is CheckStatus.PASSED, result


def test_judge_folds_traditional_variants_in_names():
    result = recognition._judge(["姓名 王強", f"公民身份号码 {NUMBER}"], "王强", NUMBER, 1)
    assert result.status is CheckStatus.PASSED, result
    assert recognition._judge(["姓名 王强", NUMBER], "王強", NUMBER, 1).data["name_found"]


def test_judge_ignores_longer_digit_runs():
    result = recognition._judge([NUMBER + "9"], NAME, NUMBER, 1)
    assert result.data["id_number_found"] is False


def test_mask_id_number():
    assert mask_id_number(NUMBER) == "110105********1232"
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize("length", range(21))
def test_masks_agree_with_the_kernel_at_every_length(length):
    value = ("1101051990010112345678X")[:length]
    assert mask_id_number(value) == masking.mask_id_number(value)


def test_a_ten_character_value_shows_no_digit():
    assert mask_id_number("1101051990") == "**********"


def test_the_check_character_is_the_accounts_rule():
    from creditbank.accounts.id_numbers import check_char

    for number in (NUMBER, OTHER_NUMBER, X_NUMBER):
        assert recognition._checksum_ok(number) is True
        assert check_char(number[:17]) == number[17]
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        assert recognition._checksum_ok(wrong) is False


# --------------------------------------------------------------------------- face


def test_face_found_on_card_with_portrait(cjk_font_path):
    result = detect_face(make_card(cjk_font_path, face=True))
    assert result.status is CheckStatus.PASSED, result
    assert result.data["face_count"] >= 1


def test_face_on_the_left_is_found_by_the_second_pass(cjk_font_path):
    card = Image.open(io.BytesIO(make_card(cjk_font_path, face=True)))
    mirrored = jpeg(card.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    result = detect_face(mirrored)
    assert result.status is CheckStatus.PASSED, result
    assert result.data["passes"] == 2
    assert detect_face(make_card(cjk_font_path, face=True)).data["passes"] == 1


def test_face_found_on_large_photo(cjk_font_path):
    card = Image.open(io.BytesIO(make_card(cjk_font_path, face=True))).resize((2000, 1260))
    assert detect_face(jpeg(card)).status is CheckStatus.PASSED


def test_no_face_on_blank_image():
    result = detect_face(blank())
    assert result.status is CheckStatus.FAILED
    assert result.data["face_count"] == 0


def test_no_face_on_card_without_portrait(cjk_font_path):
    assert detect_face(make_card(cjk_font_path)).status is CheckStatus.FAILED


def test_face_not_run_without_opencv(monkeypatch):
    monkeypatch.setitem(sys.modules, "cv2", None)
    result = detect_face(blank())
    assert result.status is CheckStatus.NOT_RUN
    assert recognition.face_available() is False


def test_face_not_run_on_undecodable_bytes():
    assert detect_face(b"\xff\xd8 broken").status is CheckStatus.NOT_RUN


def test_face_available():
    assert recognition.face_available() is True
