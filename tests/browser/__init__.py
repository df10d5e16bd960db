"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server."""
