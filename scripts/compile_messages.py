"""Compile every locale/*/LC_MESSAGES/*.po into .mo (msgfmt if installed, else a Python writer).

The .mo files are build output and not committed.
"""

from __future__ import annotations

import ast
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr for non-fuzzy, translated entries (msgctxt joined with \\x04)."""
    entries: dict[str, str] = {}
    ctx = msgid = msgstr = None
    plural_strs: dict[int, str] = {}
    msgid_plural = None
    fuzzy = False
    current: str | None = None

    def flush() -> None:
        nonlocal ctx, msgid, msgstr, msgid_plural, plural_strs, fuzzy
        if msgid is not None and not fuzzy:
            key = msgid if ctx is None else f"{ctx}\x04{msgid}"
            if msgid_plural is not None:
                key = key + "\x00" + msgid_plural
                values = [plural_strs[i] for i in sorted(plural_strs)]
                if all(values):
                    entries[key] = "\x00".join(values)
            elif msgstr or msgid == "":
                entries[key] = msgstr or ""
        ctx = msgid = msgstr = msgid_plural = None
        plural_strs = {}
        fuzzy = False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            fuzzy = True
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            if msgid is not None:
                keep_fuzzy = fuzzy
                flush()
                fuzzy = keep_fuzzy
            ctx = ast.literal_eval(line[8:])
            current = "ctx"
        elif line.startswith("msgid_plural "):
            msgid_plural = ast.literal_eval(line[13:])
            current = "plural"
        elif line.startswith("msgid "):
            if msgid is not None:
                keep_fuzzy = fuzzy
                flush()
                fuzzy = keep_fuzzy
            msgid = ast.literal_eval(line[6:])
            current = "id"
        elif line.startswith("msgstr["):
            idx = int(line[7 : line.index("]")])
            plural_strs[idx] = ast.literal_eval(line[line.index("]") + 1 :].strip())
            current = f"p{idx}"
        elif line.startswith("msgstr "):
            msgstr = ast.literal_eval(line[7:])
            current = "str"
        elif line.startswith('"'):
            part = ast.literal_eval(line)
            if current == "ctx":
                ctx = (ctx or "") + part
            elif current == "id":
                msgid = (msgid or "") + part
            elif current == "plural":
                msgid_plural = (msgid_plural or "") + part
            elif current == "str":
                msgstr = (msgstr or "") + part
            elif current and current.startswith("p"):
                i = int(current[1:])
                plural_strs[i] = plural_strs.get(i, "") + part
    flush()
    return entries


def write_mo(entries: dict[str, str], path: Path) -> None:
    keys = sorted(entries)
    ids = b""
    strs = b""
    offsets = []
    for k in keys:
        kb, vb = k.encode("utf-8"), entries[k].encode("utf-8")
        offsets.append((len(ids), len(kb), len(strs), len(vb)))
        ids += kb + b"\x00"
        strs += vb + b"\x00"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    out = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    out += struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(f"{len(voffsets)}i", *voffsets) + ids + strs
    path.write_bytes(out)


def main() -> int:
    msgfmt = shutil.which("msgfmt")
    for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        # Written aside, then renamed over the old one: a process reading the catalogue meanwhile
        # (another pytest -n worker compiling too) sees the old file or the new one, never half.
        part = mo.with_name(f"{mo.name}.{os.getpid()}.part")
        if msgfmt:
            subprocess.run([msgfmt, "--check-format", "-o", str(part), str(po)], check=True)  # noqa: S603
        else:
            write_mo(parse_po(po.read_text(encoding="utf-8")), part)
        os.replace(part, mo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
