"""Every user-facing string has its Simplified Chinese translation, and placeholders match."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from compile_messages import parse_po  # noqa: E402

PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{\{ ?[a-z_.]+ ?\}\}")


def test_no_fuzzy_or_untranslated_entries() -> None:
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split('msgstr ""', 1)[1]
    ids = re.findall(r'^msgid "(.+)"$', text, re.M)
    translated = parse_po(text)
    missing = [
        i for i in ids if not any(k == i or k.endswith("\x04" + i) or k.startswith(i + "\x00") for k in translated)
    ]
    assert missing == []


def test_placeholders_survive_translation() -> None:
    for msgid, msgstr in parse_po(PO.read_text(encoding="utf-8")).items():
        if not msgid:
            continue
        source = msgid.split("\x04")[-1].split("\x00")[0]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(msgstr.split("\x00")[0])), msgid


def test_chinese_is_the_default_and_english_switches(client) -> None:  # type: ignore[no-untyped-def]
    assert "实名认证" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (
        "Real-name verification" in client.get("/").content.decode() or "real-name" in client.get("/").content.decode()
    )
