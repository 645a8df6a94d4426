"""Hostile feed text never reaches Slack, email or Markdown as markup (untrusted input)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy.engine import Engine

from bot.briefing.build import build_digest
from bot.briefing.render_email import render_email
from bot.briefing.render_slack import render_slack
from bot.config import Settings
from tests.briefing.factory import NOW, add_source, add_story

HOSTILE = [
    "<!channel>", "<!here|here>", "<@U12345>", "<#C999|general>", "<https://evil.example|Click me>",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    "&lt;script&gt; already escaped", "javascript:alert(1)", "{{ 7*7 }} {% if 1 %}x{% endif %}",
]  # fmt: skip
TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "h3", "p",
                 "span", "strong", "a", "ul", "li", "br"}  # fmt: skip
OUR_LINK = re.compile(r"<https?://[^|<>\s]+\|[^<>]*>")


def _digest(engine: Engine) -> dict:
    src = add_source(engine, "evil", "Evil <b>Outlet</b> & <!everyone>")
    text = " ".join(f"Sentence with {h} inside it for the summary." for h in HOSTILE)
    for i, h in enumerate(HOSTILE):
        add_story(engine, f"Headline {h}", topic="safety", importance=1 - i / 100,
                  evidence=[f"Evidence {h} quoted."], label="hype", subtype="announcement",
                  articles=[{"url": f"https://evil.example/{i}?a=1&b=<x>|y", "source_id": src,
                             "text": text},
                            {"url": "javascript:alert(1)", "source_id": None, "text": text}])  # fmt: skip
    return build_digest(engine, Settings(), audience="t", now=NOW)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += attrs


def test_slack_text_has_no_markup_but_our_links(engine: Engine) -> None:
    messages = render_slack(_digest(engine))
    texts = [m["text"] for m in messages]
    for m in messages:
        for block in m["blocks"]:
            texts += [block.get("text", {}).get("text", "")]
            texts += [e.get("text", "") for e in block.get("elements", [])]
    for text in texts:
        rest = re.sub(r"(?m)^> ", "", OUR_LINK.sub("", text))  # our links and quote markers
        assert "<" not in rest and ">" not in rest, rest
        for link in OUR_LINK.findall(text):
            assert link.startswith("<https://evil.example/") or link.startswith("<https://")
            assert "<!" not in link and "<@" not in link
    assert any("&lt;!channel&gt;" in t for t in texts)


def test_email_html_has_only_template_markup(engine: Engine) -> None:
    email = render_email(_digest(engine), "https://b.example/unsubscribe?token=t")
    parser = _Tags()
    parser.feed(email.html)
    assert parser.tags <= TEMPLATE_TAGS, parser.tags - TEMPLATE_TAGS
    assert not [a for a, _ in parser.attrs if a.startswith("on")]
    hrefs = [v or "" for a, v in parser.attrs if a == "href"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert "javascript:" not in " ".join(hrefs)
    assert "49" not in email.html.replace("1049", "")  # {{ 7*7 }} is text, not evaluated
    assert "{{ 7*7 }}" in email.html
