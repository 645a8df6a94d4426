"""The feedparser speed-ups must not change a single parsed field."""

from __future__ import annotations

from pathlib import Path

import feedparser
import feedparser.api
import feedparser.mixin
import pytest

from bot.pipeline import feed_speed
from bot.pipeline.feeds import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
KW = {"sanitize_html": False, "resolve_relative_uris": False}

# Text that expat delivers in many pieces (entities, character references, newlines, CDATA),
# Windows-1252 code points that feedparser maps, and characters outside the BMP.
TRICKY = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Caf&#233; &amp; Co \u2014 news</title><link>https://example.org/</link>
<item><title>Line one
line two &lt;b&gt; \x80-\x9f? &#128; &#150; smart \u201cquotes\u201d \U0001f600</title>
<link>https://example.org/a?x=1&amp;y=2</link><guid isPermaLink="false">id-1</guid>
<description>a&amp;b&#160;c
d</description>
<content:encoded><![CDATA[<p>First &amp; para</p>
<p>Second</p>]]> tail &amp; more</content:encoded></item>
</channel></rss>
"""


def _parse_both(body: bytes) -> tuple[object, object]:
    fast = feedparser.parse(body, **KW)
    with feed_speed.disabled():
        stock = feedparser.parse(body, **KW)
    return fast, stock


def test_installed_by_the_feed_parser_module() -> None:
    assert feed_speed.install() is True
    assert feedparser.api.PREFERRED_XML_PARSERS[0] == "bot.pipeline.feed_speed"
    assert isinstance(feedparser.mixin._cp1252, list)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in FEEDS.iterdir() if p.suffix == ".xml"), ids=str
)
def test_fixture_feeds_parse_identically(name: str) -> None:
    fast, stock = _parse_both((FEEDS / name).read_bytes())
    assert fast.entries == stock.entries  # type: ignore[attr-defined]
    assert fast.feed == stock.feed  # type: ignore[attr-defined]


def test_split_text_entities_and_cp1252_parse_identically() -> None:
    body = TRICKY.encode("utf-8", "surrogatepass")
    fast, stock = _parse_both(body)
    assert fast.entries == stock.entries  # type: ignore[attr-defined]
    assert fast.feed == stock.feed  # type: ignore[attr-defined]
    entry = fast.entries[0]  # type: ignore[attr-defined]
    assert "\U0001f600" in entry.title and "\u20ac" in entry.title  # &#128; mapped to the euro sign
    assert entry.content[0].value.endswith("tail & more")


def test_the_speedup_really_coalesces_text() -> None:
    """A body whose text expat splits at every line: the buffered driver gets it in one piece."""
    calls: list[str] = []
    parser = feed_speed.create_parser()

    class Counting:
        def characters(self, data: str) -> None:
            calls.append(data)

        def __getattr__(self, _name: str):  # every other SAX callback: ignore
            return lambda *a, **k: None

    parser.setContentHandler(Counting())  # type: ignore[arg-type]
    from io import BytesIO

    parser.parse(BytesIO(b"<a>" + b"line &amp; more\n" * 200 + b"</a>"))
    assert "".join(calls) == "line & more\n" * 200
    assert len(calls) == 1


def test_parse_feed_output_unchanged_by_speedups() -> None:
    body = TRICKY.encode("utf-8", "surrogatepass")
    fast = parse_feed(body, url="https://example.org/feed")
    with feed_speed.disabled():
        stock = parse_feed(body, url="https://example.org/feed")
    assert fast.entries == stock.entries
    assert fast.entries[0].summary == "a&b c\nd"


def test_aliased_and_special_keys_still_resolve() -> None:
    """The fast dict methods must keep feedparser's aliases (guid -> id, description -> summary)."""
    body = TRICKY.encode("utf-8", "surrogatepass")
    entry = feedparser.parse(body, **KW).entries[0]  # type: ignore[attr-defined]
    assert entry["guid"] == entry["id"] == "id-1"
    assert entry.get("description") == entry["summary"] == "a&b\xa0c\nd"
    assert "guid" in entry and "nothing-here" not in entry
    assert entry.get("nothing-here", "default") == "default"
    with pytest.raises(KeyError):
        entry["category"]  # special key: no tags, same KeyError as stock feedparser
    with pytest.raises(AttributeError):
        _ = entry.nothing_here
