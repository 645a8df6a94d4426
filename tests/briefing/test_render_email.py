"""HTML email and plain-text rendering: escaping, inlined CSS, links, unsubscribe."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.briefing.build import build_digest
from bot.briefing.render_email import render_email
from bot.config import Settings
from tests.briefing.factory import NOW, seed_briefing

UNSUB = "https://briefing.example/unsubscribe?token=abc.def"


def test_html_is_escaped_inlined_and_links_sources(engine: Engine) -> None:
    seed_briefing(engine)
    digest = build_digest(engine, Settings(), audience="t", now=NOW)
    email = render_email(digest, UNSUB)
    assert "<script>" not in email.html and "<!channel>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert 'href="https://wire.example/acme"' in email.html
    assert 'style="' in email.html and "max-width: 640px" in email.html  # CSS inlined
    assert "<img" not in email.html  # nothing depends on images
    assert f'href="{UNSUB}"' in email.html.replace("&amp;", "&")
    assert "Unsubscribe" in email.html
    # the plain-text part has the same stories with full source URLs
    assert "https://wire.example/acme" in email.text
    assert f"Unsubscribe: {UNSUB}" in email.text
    assert email.subject == "AI industry briefing, 2026-11-22: 5 stories"


def test_javascript_urls_never_become_links(engine: Engine) -> None:
    seed_briefing(engine)
    digest = build_digest(engine, Settings(), audience="t", now=NOW)
    digest["sections"][0]["stories"][0]["sources"] = [
        {"name": "Evil", "url": "javascript:alert(1)"}
    ]
    email = render_email(digest, UNSUB)
    assert "javascript:" not in email.html and "javascript:" not in email.text
    assert "Evil" in email.html
