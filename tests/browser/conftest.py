"""Fixtures of the browser tests: one chromium for the package, a fresh context and page per test.

Chromium is Debian's (``CREDITBANK_CHROMIUM``, default ``/usr/bin/chromium``); Playwright never
downloads a browser here. A missing chromium fails the tests with a clear message: they are
never skipped.
"""

from __future__ import annotations

import os
import re
import runpy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CREDITBANK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Django's language code -> the value of <html lang> that base.html writes for it.
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}
TIMEOUT_MS = 10_000


def tr(text: Any, lang: str = "zh-hans") -> str:
    """A msgid (or lazy string) as the pages show it in ``lang``."""
    with translation.override(lang):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def _translations_ready() -> bool:
    return tr("Real-name verification") == "实名认证"


@pytest.fixture(scope="package", autouse=True)
def _compiled_messages() -> None:
    """The .mo files are build output (git-ignored): build them like ``./dev test`` does."""

    def stamps() -> dict[Path, float]:
        return {mo: mo.stat().st_mtime for mo in ROOT.glob("locale/*/LC_MESSAGES/*.mo")}

    before = stamps()
    runpy.run_path(str(ROOT / "scripts" / "compile_messages.py"))["main"]()  # no-op when up to date
    if stamps() != before:
        # Catalogs read before this (re)build are cached; drop them as Django's autoreloader does.
        from django.utils.translation.reloader import translation_file_changed

        translation_file_changed(sender=None, file_path=Path("django.mo"))
    if not _translations_ready():
        pytest.fail("The Chinese catalog is not used after compiling locale/*.po; run ./dev test to see why.")


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One chromium for all browser tests (each test gets its own context, so nothing is shared)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. The browser tests need Debian's chromium "
            "(apt-get install chromium fonts-noto-cjk) or CREDITBANK_CHROMIUM pointing at a chromium binary; "
            "`playwright install` is not used.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    # Playwright's sync API keeps an asyncio loop running in this thread; Django would then refuse
    # ORM calls from the test body. Allowed for the lifetime of the browser only.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            try:
                # launch() gives every run a fresh, temporary user data directory.
                instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            except Exception as exc:
                pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
            yield instance
            instance.close()
        finally:
            playwright.stop()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a new context (Chinese browser, the live server as base URL).

    Every page fails its test on a server error or a script error.
    """
    contexts: list[Any] = []
    problems: list[str] = []

    def make(**options: Any) -> Any:
        options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


def html_lang(page: Any) -> str:
    return page.locator("html").get_attribute("lang") or ""


def shot(page: Any, name: str) -> Path:
    """A full-page PNG under test-artifacts/screenshots/<lang>/<name>.png (<lang> from <html lang>)."""
    lang = html_lang(page).lower() or "unknown"
    path = SCREENSHOTS / lang / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def switch_language(page: Any, code: str) -> None:
    """Switch through the header form (``set_language``); the same page comes back in ``code``."""
    from playwright.sync_api import expect

    url = page.url
    page.select_option("#lang-select", code)
    with page.expect_navigation():
        page.locator("header form.lang button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[code])
    expect(page.locator("#lang-select")).to_have_value(code)
    assert page.url == url


def log_in(page: Any, identifier: str, password: str = PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.fill("#id_identifier", identifier)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-testid=account-state]")).to_be_visible()
    assert re.fullmatch(r"http://[^/]+/", page.url), page.url


def log_out(page: Any) -> None:
    from playwright.sync_api import expect

    with page.expect_navigation():
        page.locator("header form[action='/accounts/logout/'] button[type=submit]").click()
    expect(page.locator("[data-testid=account-state]")).to_have_count(0)
    expect(page.locator("header a[href='/accounts/login/']")).to_be_visible()
