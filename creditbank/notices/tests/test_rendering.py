import pytest

from creditbank.notices.rendering import render_markdown


def test_markdown_basics() -> None:
    assert render_markdown("**粗体** and [link](https://example.com)") == (
        '<p><strong>粗体</strong> and <a href="https://example.com" rel="noopener noreferrer nofollow">link</a></p>'
    )


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        '<a href="data:text/html,<script>1</script>">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:1)">x</p>',
    ],
)
def test_dangerous_markup_is_removed(evil: str) -> None:
    html = render_markdown(evil)
    for needle in ("<script", "onerror", "javascript:", "data:", "<iframe", "style="):
        assert needle not in html
