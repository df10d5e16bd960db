"""Every user-facing string has its Simplified Chinese translation, and placeholders match."""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.commands import makemessages

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from compile_messages import parse_po  # noqa: E402

PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{\{ ?[a-z_.]+ ?\}\}")
#: What `./dev messages` leaves out (`--ignore=.venv --ignore=var`), and build output that may
#: hold copies of the sources. Django adds its own defaults (".*", "*~", "*.pyc", "CVS").
IGNORED = [".venv", "var", "build", "dist", "htmlcov", "node_modules"]


def test_no_fuzzy_or_untranslated_entries() -> None:
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split('msgstr ""', 1)[1]
    ids = [i.replace('\\"', '"') for i in re.findall(r'^msgid "(.+)"$', text, re.M)]  # as parse_po reads them
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


def catalogue_ids(text: str) -> set[str]:
    """Every entry's id, translated or not: msgctxt, msgid and msgid_plural joined as gettext
    joins them (\\x04 after the context, \\x00 before the plural); the header and obsolete
    (#~) entries are left out."""
    ids: set[str] = set()
    for block in re.split(r"\n\s*\n", text):
        entry: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            keyword, _, rest = line.partition(" ")
            if keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"} or keyword.startswith("msgstr["):
                current = keyword
                entry[current] = ast.literal_eval(rest)
            elif line.startswith('"') and current:
                entry[current] += ast.literal_eval(line)
        if entry.get("msgid"):
            key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
            ids.add(key if "msgid_plural" not in entry else f"{key}\x00{entry['msgid_plural']}")
    return ids


class _MakeMessagesInto(makemessages.Command):
    """makemessages writing only into settings.LOCALE_PATHS[0]: run from the project root, the stock
    command also finds ./locale and would put the files there."""

    def find_files(self, root: str) -> list[Any]:
        files = super().find_files(root)
        target = self.default_locale_path
        for translatable in files:
            translatable.locale_dir = target
        self.locale_paths = [target]
        return files


def test_catalogue_lists_every_translatable_string(tmp_path: Path, settings: Any, monkeypatch: Any) -> None:
    """`./dev messages` would add nothing and drop nothing: a new _() or {% translate %} string is
    in the committed catalogue (and so, by the test above, translated), an obsolete one is gone."""
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs GNU gettext (xgettext): apt-get install gettext, or run ./dev test")
    committed = PO.read_bytes()
    copy = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", copy, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    settings.LOCALE_PATHS = [str(copy)]
    monkeypatch.chdir(ROOT)

    call_command(_MakeMessagesInto(), locale=["zh_Hans"], no_obsolete=True, ignore_patterns=list(IGNORED), verbosity=0)

    regenerated = catalogue_ids((copy / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    listed = catalogue_ids(committed.decode("utf-8"))
    missing, stale = sorted(regenerated - listed), sorted(listed - regenerated)
    assert PO.read_bytes() == committed, "makemessages wrote into the project's locale/"
    assert not list((ROOT / "locale").glob("*.pot"))
    assert (missing, stale) == ([], []), (
        "locale/zh_Hans/LC_MESSAGES/django.po is out of date: run ./dev messages and translate. "
        f"Missing: {missing!r}; no longer in the sources: {stale!r}"
    )
