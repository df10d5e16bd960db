"""Automatic recognition checks for real-name verification (实名认证) ID card photos.

Two advisory checks run on the photos of a resident identity card (居民身份证):

* :func:`detect_face` - the portrait side must show a face (OpenCV Haar cascade).
* :func:`ocr_card` - the portrait side is read with RapidOCR (ONNX Runtime, models shipped in
  the ``rapidocr`` wheel) and the 18-character number and the name on it are compared with what
  the person declared.

Neither check ever raises: a missing package, an undecodable image or any other failure gives
:attr:`CheckStatus.NOT_RUN` and is logged. Full ID numbers never appear in ``detail``, ``data``
or the logs; they are masked by ``kernel.masking.mask_id_number`` (first 6, stars, last 4), and
their check character is computed by the accounts context's ID-number rules.

Both switches are the deployment's policy (``CREDITBANK_POLICY``, docs/POLICY.md):

* ``VERIFICATION_OCR`` (``POLICY_VERIFICATION_OCR``) turns OCR on or off.
* ``VERIFICATION_OCR_THREADS`` (``POLICY_VERIFICATION_OCR_THREADS``) - ONNX Runtime intra-op
  threads (default 2, at most the CPU count).

The OCR engine is built once per process, lazily and under a lock; call :func:`warm_up` at worker
start to pay the model load (about a second) before the first request.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from creditbank.accounts.id_numbers import check_char
from creditbank.kernel.masking import mask_id_number
from creditbank.kernel.policy import policy

logger = logging.getLogger(__name__)

__all__ = [
    "CheckStatus",
    "RecognitionResult",
    "detect_face",
    "face_available",
    "mask_id_number",
    "ocr_available",
    "ocr_card",
    "warm_up",
]


class CheckStatus(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not_run"
    WARNING = "warning"


@dataclass(frozen=True)
class RecognitionResult:
    status: CheckStatus
    detail: str
    data: dict[str, object] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers

#: 17 digits and a digit or X, not inside a longer run of digits.
_ID_PATTERN = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
#: Separators that OCR reads (or drops) inconsistently inside names, e.g. 买买提·艾力.
_NAME_DROP = set("·•・‧.。-_,，、'\"")
#: Traditional and Japanese forms of common name characters that the multilingual recogniser
#: sometimes outputs for the simplified ones printed on the card (e.g. 強 for 强), folded to the
#: simplified form on both sides before names are compared.
_VARIANT_PAIRS = (
    "強强 別别 張张 陳陈 劉刘 楊杨 黃黄 趙赵 吳吴 孫孙 馬马 鄭郑 謝谢 羅罗 許许 韓韩 馮冯 鄧邓"
    " 蕭萧 葉叶 曉晓 國国 華华 麗丽 紅红 軍军 偉伟 傑杰 濤涛 艷艳 豔艳 蘭兰 鳳凤 龍龙 東东 雲云"
    " 輝辉 鵬鹏 飛飞 潔洁 靜静 寧宁 穎颖 倫伦 榮荣 興兴 廣广 長长 剛刚 慶庆 閻阎 錢钱 賈贾 蔣蒋"
    " 盧卢 蘇苏 範范 鍾钟 鐘钟 湯汤 顧顾 閔闵 陸陆 齊齐 樂乐 義义 寶宝 貴贵 瑩莹 濱滨 澤泽 嬌娇"
    " 鳴鸣 傳传 詩诗 書书 夢梦 衛卫 開开 進进 達达 遠远 連连 運运 愛爱 歡欢 嶽岳 鄒邹 譚谭 韋韦"
    " 賀贺 龔龚 瑋玮 沢泽 広广 竜龙 栄荣 恵惠 浜滨"
)
_VARIANT_FOLD = str.maketrans({pair[0]: pair[1] for pair in _VARIANT_PAIRS.split()})


def _normalise_text(text: str) -> str:
    """NFKC (full-width to half-width), drop all white space, upper-case (a final ``x``)."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if not ch.isspace()).upper()


def _normalise_name(text: str) -> str:
    folded = _normalise_text(text).translate(_VARIANT_FOLD)
    return "".join(ch for ch in folded if ch not in _NAME_DROP)


def _checksum_ok(number: str) -> bool:
    """The GB 11643 check character is right (``number`` already matched ``_ID_PATTERN``)."""
    return check_char(number[:17]) == number[17]


def _ocr_disabled() -> bool:
    return not policy().verification_ocr


def _ocr_threads() -> int:
    cpus = os.cpu_count() or 1
    wanted = int(policy().verification_ocr_threads)
    return max(1, min(wanted, cpus))


def _elapsed_ms(start: float) -> int:
    return round((time.perf_counter() - start) * 1000)


def _decode(jpeg_bytes: bytes, cv2: Any, flags: int) -> Any:
    """Decode with OpenCV (which applies the EXIF orientation); ``None`` if undecodable."""
    import numpy as np

    if not jpeg_bytes:
        return None
    return cv2.imdecode(np.frombuffer(jpeg_bytes, dtype=np.uint8), flags)


def _downscale(image: Any, cv2: Any, max_side: int) -> Any:
    height, width = image.shape[:2]
    longest = max(height, width)
    if max_side <= 0 or longest <= max_side:
        return image
    scale = max_side / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


# --------------------------------------------------------------------------- face

FACE_MAX_SIDE = 800
#: Two passes of the Haar cascade: (first x as a fraction of the width, last y as a fraction of
#: the height, smallest face as a fraction of the long side, scale step, min neighbours).
#: The quick pass looks where the portrait is on an upright card that fills most of the frame
#: (right two thirds, upper three quarters) for a face of at least 1/18 of the long side; only if
#: it finds nothing does the thorough pass search the whole photo down to 1/30 with finer steps.
#: The small scales are where the cascade spends its time; a 1.2 step already misses faces.
FACE_PASSES: tuple[tuple[float, float, float, float, int], ...] = (
    (1 / 3, 3 / 4, 1 / 18, 1.15, 4),
    (0.0, 1.0, 1 / 30, 1.08, 3),
)
_FACE_CASCADE = "haarcascade_frontalface_default.xml"
#: One CascadeClassifier per thread: the objects are not safe to share between threads.
_face_local = threading.local()


def _cascade_path(cv2: Any) -> Path:
    return Path(cv2.data.haarcascades) / _FACE_CASCADE


def _cascade(cv2: Any) -> Any:
    classifier = getattr(_face_local, "classifier", None)
    if classifier is None:
        path = _cascade_path(cv2)
        classifier = cv2.CascadeClassifier(str(path))
        if classifier.empty():
            raise RuntimeError(f"cannot load the Haar cascade {path}")
        _face_local.classifier = classifier
    return classifier


def face_available() -> bool:
    """Whether OpenCV and its frontal-face cascade are installed (does not load anything)."""
    try:
        import cv2
    except ImportError:
        return False
    try:
        return _cascade_path(cv2).is_file()
    except Exception:  # a broken OpenCV build is "not available"
        return False


def detect_face(jpeg_bytes: bytes) -> RecognitionResult:
    """Check that the portrait side of the card shows at least one frontal face."""
    start = time.perf_counter()
    try:
        import cv2
    except ImportError:
        return RecognitionResult(
            CheckStatus.NOT_RUN,
            "Face detection is not available (OpenCV is not installed).",
            {"reason": "unavailable"},
        )
    try:
        gray = _decode(jpeg_bytes, cv2, cv2.IMREAD_GRAYSCALE)
        if gray is None:
            return RecognitionResult(
                CheckStatus.NOT_RUN,
                "Face detection did not run: the image cannot be decoded.",
                {"reason": "undecodable"},
            )
        gray = _downscale(gray, cv2, FACE_MAX_SIDE)
        gray = cv2.equalizeHist(gray)
        height, width = gray.shape[:2]
        classifier = _cascade(cv2)
        boxes: list[tuple[int, ...]] = []
        passes = 0
        for from_x, to_y, min_fraction, scale_factor, min_neighbors in FACE_PASSES:
            passes += 1
            left, bottom = int(width * from_x), max(1, round(height * to_y))
            min_face = max(24, round(max(height, width) * min_fraction))
            found = classifier.detectMultiScale(
                gray[:bottom, left:],
                scaleFactor=scale_factor,
                minNeighbors=min_neighbors,
                minSize=(min_face, min_face),
            )
            boxes = [(int(x) + left, int(y), int(w), int(h)) for x, y, w, h in found]
            if boxes:
                break
    except Exception:
        logger.exception("face detection failed")
        return RecognitionResult(
            CheckStatus.NOT_RUN,
            "Face detection did not run because of an internal error.",
            {"reason": "error"},
        )

    data: dict[str, object] = {
        "face_count": len(boxes),
        "passes": passes,
        "elapsed_ms": _elapsed_ms(start),
    }
    if not boxes:
        data["reason"] = "no_face"
        return RecognitionResult(
            CheckStatus.FAILED,
            "No face was found on the portrait side of the card.",
            data,
        )
    largest = max(boxes, key=lambda b: b[2] * b[3])
    data["largest_face_ratio"] = round(largest[2] / width, 3)
    data["reason"] = "face_found"
    detail = "A face was found." if len(boxes) == 1 else f"{len(boxes)} faces were found."
    return RecognitionResult(CheckStatus.PASSED, detail, data)


# --------------------------------------------------------------------------- OCR

_ocr_engine: Any = None
_ocr_lock = threading.Lock()

#: Bundled files in ``rapidocr/models`` (rapidocr 3.x wheels).
_DET_MODEL = "PP-OCRv6_det_small.onnx"
_REC_MODEL = "PP-OCRv6_rec_small.onnx"
_CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
#: The text detector works on at most this long side; lines are then cropped from the image
#: passed in (``max_side``), so recognition keeps the finer resolution.
OCR_DET_MAX_SIDE = 960


def ocr_available() -> bool:
    """Whether OCR is enabled and its packages are installed (does not load the models)."""
    if _ocr_disabled():
        return False
    try:
        return all(find_spec(name) is not None for name in ("rapidocr", "onnxruntime", "cv2"))
    except (ImportError, ValueError):
        return False


def _engine_params(model_dir: Path) -> dict[str, object]:
    """RapidOCR settings: bundled model files by path so nothing is ever downloaded."""
    threads = _ocr_threads()
    return {
        "Global.log_level": "warning",
        "Global.model_root_dir": str(model_dir),
        # The text-line 180-degree classifier costs time and a card photographed upside down
        # only turns into "number not found" (a warning), so it is off; its path is still set.
        "Global.use_cls": False,
        "Global.max_side_len": 2000,
        "Det.model_path": str(model_dir / _DET_MODEL),
        # "max": shrink to OCR_DET_MAX_SIDE at most, never upscale. The default ("min", 736)
        # never shrinks, so the detector would run on the whole 1280 px picture (~2x the cost).
        "Det.limit_type": "max",
        "Det.limit_side_len": OCR_DET_MAX_SIDE,
        "Rec.model_path": str(model_dir / _REC_MODEL),
        # One line at a time and a 96 px minimum width (default 320): short lines such as "男"
        # are not padded to the widest line or to 320 px (recognition about a third faster).
        "Rec.rec_batch_num": 1,
        "Rec.rec_img_shape": [3, 48, 96],
        "Cls.model_path": str(model_dir / _CLS_MODEL),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }


def _warm_image() -> Any:
    """A small picture of digits: enough for the detector to find a line, so both load."""
    import cv2
    import numpy as np

    image = np.full((64, 320, 3), 255, dtype=np.uint8)
    cv2.putText(image, "0123456789", (8, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
    return image


@contextlib.contextmanager
def _ort_without_spinning() -> Iterator[None]:
    """While RapidOCR creates its ONNX Runtime sessions, turn off the thread pool's spin-wait.

    Spinning threads burn CPU between operators; on a 2-core machine shared with web workers
    that roughly doubled the p95 of OCR under load for no gain when idle. RapidOCR has no
    setting for it, so its session-options hook is wrapped for the duration of the load only.
    """
    try:
        from rapidocr.inference_engine.onnxruntime.main import OrtInferSession
    except ImportError:  # another rapidocr layout: keep its defaults
        yield
        return
    original = OrtInferSession.__dict__.get("_init_sess_opts")
    if not isinstance(original, staticmethod):
        yield
        return

    def init_sess_opts(cfg: Any) -> Any:
        options = original.__func__(cfg)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return options

    OrtInferSession._init_sess_opts = staticmethod(init_sess_opts)  # type: ignore[method-assign]
    try:
        yield
    finally:
        OrtInferSession._init_sess_opts = original  # type: ignore[method-assign]


def _get_engine() -> Any:
    """The process-wide RapidOCR engine, built on first use; raises ImportError if missing."""
    global _ocr_engine
    engine = _ocr_engine
    if engine is not None:
        return engine
    with _ocr_lock:
        if _ocr_engine is None:
            import rapidocr

            model_dir = Path(rapidocr.__file__).resolve().parent / "models"
            for name in (_DET_MODEL, _REC_MODEL, _CLS_MODEL):
                if not (model_dir / name).is_file():
                    raise FileNotFoundError(f"rapidocr model file missing: {model_dir / name}")
            started = time.perf_counter()
            with _ort_without_spinning():
                engine = rapidocr.RapidOCR(params=_engine_params(model_dir))
                # RapidOCR loads each model on first use: load them now, with the options above.
                engine(_warm_image())
            _ocr_engine = engine
            logger.info("OCR engine ready in %d ms", _elapsed_ms(started))
        return _ocr_engine


def _run_ocr(image: Any) -> list[str]:
    result = _get_engine()(image)
    texts = getattr(result, "txts", None)
    return [str(t) for t in texts] if texts else []


def warm_up() -> bool:
    """Load the OCR models and run them once on a tiny image; ``True`` if OCR is usable."""
    if _ocr_disabled():
        return False
    try:
        _run_ocr(_warm_image())
    except Exception:
        logger.exception("OCR warm-up failed")
        return False
    return True


def ocr_card(
    jpeg_bytes: bytes,
    *,
    declared_name: str,
    declared_id_number: str,
    max_side: int = 1280,
) -> RecognitionResult:
    """Read the portrait side and compare its ID number and name with the declared ones.

    Outcome by the number: the declared number read -> PASSED (WARNING if the declared name is
    not read as well); another number with a valid check character -> FAILED; no number, or only
    misread ones (bad check character) -> WARNING. ``data["reason"]`` is a stable code.
    """
    start = time.perf_counter()
    if _ocr_disabled():
        return RecognitionResult(
            CheckStatus.NOT_RUN,
            "OCR is disabled by the deployment's policy (POLICY_VERIFICATION_OCR).",
            {"reason": "disabled"},
        )
    try:
        import cv2

        image = _decode(jpeg_bytes, cv2, cv2.IMREAD_COLOR)
        if image is None:
            return RecognitionResult(
                CheckStatus.NOT_RUN,
                "OCR did not run: the image cannot be decoded.",
                {"reason": "undecodable"},
            )
        image = _downscale(image, cv2, max_side)
        lines = _run_ocr(image)
    except ImportError:
        logger.warning("OCR is not available: rapidocr/onnxruntime/opencv not installed")
        return RecognitionResult(
            CheckStatus.NOT_RUN,
            "OCR is not available (the OCR packages are not installed).",
            {"reason": "unavailable"},
        )
    except Exception:
        logger.exception("OCR failed")
        return RecognitionResult(
            CheckStatus.NOT_RUN,
            "OCR did not run because of an internal error.",
            {"reason": "error"},
        )
    return _judge(lines, declared_name, declared_id_number, _elapsed_ms(start))


def _judge(lines: list[str], declared_name: str, declared_id_number: str, elapsed_ms: int) -> RecognitionResult:
    normalised = [_normalise_text(line) for line in lines]
    declared_number = _normalise_text(declared_id_number)
    candidates: list[str] = []
    for line in normalised:
        for number in _ID_PATTERN.findall(line):
            if number not in candidates:
                candidates.append(number)

    wanted_name = _normalise_name(declared_name)
    # Joined, so that a name split over two detected boxes is still found.
    name_found = bool(wanted_name) and wanted_name in "".join(_normalise_name(t) for t in lines)

    data: dict[str, object] = {
        "line_count": len(lines),
        "id_number_found": bool(candidates),
        "id_number_match": None,
        "name_found": name_found,
        "elapsed_ms": elapsed_ms,
    }
    name_note = "the declared name was read" if name_found else "the declared name was not read"

    if declared_number and declared_number in candidates:
        data["id_number_match"] = True
        if name_found:
            data["reason"] = "match"
            return RecognitionResult(
                CheckStatus.PASSED,
                "The ID number and the name on the card match.",
                data,
            )
        data["reason"] = "name_not_found"
        return RecognitionResult(
            CheckStatus.WARNING,
            "The ID number on the card matches; the name was not read.",
            data,
        )

    valid = [number for number in candidates if _checksum_ok(number)]
    if valid:
        data["id_number_match"] = False
        data["found_id_number_masked"] = mask_id_number(valid[0])
        data["reason"] = "id_number_mismatch"
        return RecognitionResult(
            CheckStatus.FAILED,
            f"The card shows a different ID number ({mask_id_number(valid[0])}); {name_note}.",
            data,
        )
    if candidates:
        data["found_id_number_masked"] = mask_id_number(candidates[0])
        data["reason"] = "id_number_unreadable"
        return RecognitionResult(
            CheckStatus.WARNING,
            f"An 18-character number was read but its check character is wrong (likely misread); {name_note}.",
            data,
        )
    data["reason"] = "id_number_not_found"
    return RecognitionResult(
        CheckStatus.WARNING,
        f"No ID number could be read on the card; {name_note}.",
        data,
    )
