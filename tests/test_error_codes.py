"""The error codes: the enums are the one list, docs/API-ERRORS.md lists exactly them, and no
code is a free string at a raise site.

Each check is a pure function tested twice: against the project (it must hold) and against a
small broken example (it must report what is wrong), so a check that could never fail would show.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path

from creditbank.kernel.error_codes import all_error_codes, error_code_enums

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "API-ERRORS.md"
SOURCES = ("creditbank", "config")

# --- (a) the document lists exactly the codes ----------------------------------------------------

_BACKTICKED = re.compile(r"`([a-z][a-z0-9_]*)`")


def documented_codes(markdown: str) -> list[str]:
    """The backticked codes in the first column of the document's table rows, in order (a code
    listed twice appears twice). The header and the separator row hold none."""
    codes: list[str] = []
    for line in markdown.splitlines():
        cells = line.strip().split("|")
        if not line.strip().startswith("|") or len(cells) < 3 or set(cells[1].strip()) <= {"-", ":"}:
            continue
        codes += _BACKTICKED.findall(cells[1])
    return codes


def doc_problems(documented: list[str], raisable: Iterable[str]) -> list[str]:
    """What is wrong with the document's list, in words naming the codes (empty: nothing)."""
    raisable = set(raisable)
    listed = set(documented)
    problems = []
    if missing := sorted(raisable - listed):
        problems.append(f"docs/API-ERRORS.md does not list these codes: {', '.join(missing)}")
    if extra := sorted(listed - raisable):
        problems.append(f"docs/API-ERRORS.md lists codes that no ErrorCode defines: {', '.join(extra)}")
    if twice := sorted({code for code in documented if documented.count(code) > 1}):
        problems.append(f"docs/API-ERRORS.md lists these codes in more than one row: {', '.join(twice)}")
    return problems


def test_the_document_lists_exactly_the_codes_the_code_can_raise() -> None:
    documented = documented_codes(DOC.read_text(encoding="utf-8"))
    assert documented, "no code found in the table of docs/API-ERRORS.md"
    problems = doc_problems(documented, all_error_codes())
    assert not problems, "\n".join(problems)


def test_the_document_check_names_missing_extra_and_repeated_codes() -> None:
    doc = """
| code | status | when |
|---|---|---|
| `a_code`, `b_code` (409) | 400 | see `not_a_code_column` |
| `gone_code` | 404 | … |
| `a_code` | 400 | again |
"""
    documented = documented_codes(doc)
    assert documented == ["a_code", "b_code", "gone_code", "a_code"]
    assert doc_problems(documented, {"a_code", "b_code", "new_code"}) == [
        "docs/API-ERRORS.md does not list these codes: new_code",
        "docs/API-ERRORS.md lists codes that no ErrorCode defines: gone_code",
        "docs/API-ERRORS.md lists these codes in more than one row: a_code",
    ]


# --- (b) no free-string code at a raise site -----------------------------------------------------

#: Callables that take an error code: (position of the code among the positional arguments, or
#: None when it is keyword-only; keyword names that carry codes). NotFound and RateLimited take
#: their message first and the code as ``code=`` only.
CODE_ARGUMENTS: Mapping[str, tuple[int | None, tuple[str, ...]]] = {
    "DomainError": (0, ("code",)),
    "PermissionDenied": (0, ("code",)),
    "NotFound": (None, ("code",)),
    "RateLimited": (None, ("code",)),
    # helpers that pass a code on to one of them or to a problem body
    "field_error": (0, ("code",)),
    "require_role": (None, ("code",)),
    "user_require_status": (None, ("code",)),
    "problem_body": (None, ("code",)),
    "_problem": (2, ("code",)),
    "BodyRefused": (1, ("code",)),
    "ReviewKind": (None, ("codes",)),
    # the pure domain's refusals, turned into DomainErrors with the same code
    "IdNumberError": (0, ("code",)),
    "ContactError": (0, ("code",)),
    "InvalidName": (0, ("code",)),
    "MonthError": (0, ("code",)),
    "WorkflowError": (0, ("code",)),
}


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _foreign_names(tree: ast.Module) -> set[str]:
    """Names imported from outside the project (Django's PermissionDenied is no error-code raiser)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] not in SOURCES:
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _string_literals(node: ast.AST) -> Iterable[ast.AST]:
    """String constants and f-strings in ``node`` (an f-string once, not its parts)."""
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _string_literals(child)


def free_string_codes(source: str, filename: str = "<source>") -> tuple[int, list[str]]:
    """(how many code arguments were checked, "file:line: call(...)" for each one holding a
    string literal instead of an ErrorCode member)."""
    tree = ast.parse(source, filename)
    foreign = _foreign_names(tree)
    checked, found = 0, []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = _callee(call)
        if name not in CODE_ARGUMENTS or (isinstance(call.func, ast.Name) and name in foreign):
            continue
        position, keywords = CODE_ARGUMENTS[name]
        arguments = [kw.value for kw in call.keywords if kw.arg in keywords]
        if position is not None and len(call.args) > position and not isinstance(call.args[position], ast.Starred):
            arguments.append(call.args[position])
        for argument in arguments:
            checked += 1
            for literal in _string_literals(argument):
                found.append(f"{filename}:{literal.lineno}: {name}(…{ast.unparse(literal)}…)")
    return checked, found


def _project_sources() -> list[Path]:
    return [
        path
        for top in SOURCES
        for path in sorted((ROOT / top).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
    ]


def test_every_code_at_a_raise_site_is_an_enum_member() -> None:
    checked, found = 0, []
    for path in _project_sources():
        n, hits = free_string_codes(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
        checked += n
        found += hits
    assert checked > 150, f"only {checked} code arguments found: is the scan still looking at the raise sites?"
    assert found == [], "codes given as free strings; use a member of the context's ErrorCode:\n" + "\n".join(found)


def test_the_scan_finds_free_strings_in_every_form() -> None:
    source = """
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from creditbank.kernel.errors import DomainError, NotFound, PermissionDenied, RateLimited
raise DomainError("made_up", _("Message."))
raise PermissionDenied("made_up", _("Message."))
raise NotFound(_("Message."), code="made_up")
raise RateLimited(_("Message."), retry_after=1, code=f"made_{up}")
raise DomainError("a" if flag else "b", _("Message."))
raise DomainError(ErrorCode.FINE, "a message literal is fine")
raise NotFound("a message literal is fine")
raise DjangoPermissionDenied("not ours")
"""
    checked, found = free_string_codes(source)
    assert checked == 6
    assert found == [
        "<source>:4: DomainError(…'made_up'…)",
        "<source>:5: PermissionDenied(…'made_up'…)",
        "<source>:6: NotFound(…'made_up'…)",
        "<source>:7: RateLimited(…f'made_{up}'…)",
        "<source>:8: DomainError(…'a'…)",
        "<source>:8: DomainError(…'b'…)",
    ]


def test_a_django_permission_denied_is_not_checked() -> None:
    source = 'from django.core.exceptions import PermissionDenied\nraise PermissionDenied("a message")\n'
    assert free_string_codes(source) == (0, [])


# --- (c) one definition per code --------------------------------------------------------------------


def shared_codes(enums: Iterable[type[StrEnum]]) -> dict[str, list[str]]:
    """Codes defined by more than one member (of one enum or of several), with where."""
    where: dict[str, list[str]] = {}
    for enum in enums:
        for name, member in enum.__members__.items():  # aliases too: a second name for a value
            where.setdefault(member.value, []).append(f"{enum.__module__}.{enum.__qualname__}.{name}")
    return {code: places for code, places in where.items() if len(places) > 1}


def test_each_code_is_defined_once() -> None:
    shared = shared_codes(error_code_enums().values())
    assert shared == {}, (
        "codes defined more than once; define a shared code once (in the lowest context that raises it, "
        f"or the kernel) and import it: {shared}"
    )


def test_the_definition_check_names_a_code_defined_twice() -> None:
    class Lower(StrEnum):
        SHARED = "shared_code"
        OWN = "own_code"

    class Upper(StrEnum):
        SHARED = "shared_code"
        ALIAS = "alias_code"
        SAME = "alias_code"

    assert shared_codes([Lower, Upper]) == {
        "shared_code": [
            f"{__name__}.{Lower.__qualname__}.SHARED",
            f"{__name__}.{Upper.__qualname__}.SHARED",
        ],
        "alias_code": [f"{__name__}.{Upper.__qualname__}.ALIAS", f"{__name__}.{Upper.__qualname__}.SAME"],
    }


def test_every_context_that_refuses_has_its_codes_collected() -> None:
    enums = error_code_enums()
    assert {"creditbank.kernel", "creditbank.accounts", "creditbank.identity", "creditbank.profiles"} <= set(enums)
    for app, enum in enums.items():
        assert enum.__module__ == f"{app}.errors"
        assert [m.name for m in enum] == [m.value.upper() for m in enum], f"{enum.__module__}: NAME = 'name'"
    assert "not_found" in all_error_codes()
    assert all(type(code) is str for code in all_error_codes())
