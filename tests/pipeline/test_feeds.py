"""Feed parsing of every supported format into normalised entries (bot/pipeline/feeds.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.pipeline.feeds import FeedParseError, html_to_text, parse_feed, tidy_whitespace

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
BASE = "http://127.0.0.1:8000"


def load(name: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("rss2.xml", "rss20", 4),
        ("atom.xml", "atom10", 2),
        ("rdf.xml", "rss10", 1),
        ("rss091.xml", "rss091", 1),
        ("atom03.xml", "atom03", 1),
        ("feed.json", "jsonfeed1.1", 2),
    ],
)
def test_every_format_gives_its_entries(name: str, fmt: str, count: int) -> None:
    parsed = parse_feed(load(name), url=f"{BASE}/feeds/{name}")
    assert parsed.format.startswith(fmt)
    assert len(parsed.entries) == count
    for entry in parsed.entries:
        assert entry.title and entry.url.startswith(BASE + "/pages/")


def test_rss_entry_is_normalised() -> None:
    entry = parse_feed(load("rss2.xml"), url=f"{BASE}/feeds/rss2.xml").entries[0]
    assert entry.guid == "wire-0001"
    assert entry.summary == "Vendors must file a licence for large shipments."  # HTML stripped
    assert entry.published_at == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert entry.author and "Fixture Desk" in entry.author


def test_relative_links_resolve_against_xml_base() -> None:
    entries = parse_feed(load("atom.xml"), url=f"{BASE}/feeds/atom.xml").entries
    assert entries[0].url == f"{BASE}/pages/hospital-pilot.html"
    assert entries[0].published_at == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)


def test_lying_charset_does_not_crash() -> None:
    parsed = parse_feed(load("lying-charset.xml"), content_type="application/xml; charset=utf-8")
    assert len(parsed.entries) == 1
    assert parsed.entries[0].title.startswith("Caf") and "kiosks" in parsed.entries[0].title


def test_malformed_and_non_feeds_raise_with_a_reason() -> None:
    with pytest.raises(FeedParseError) as err:
        parse_feed(load("malformed.xml"))
    assert err.value.reason == "malformed_feed"
    with pytest.raises(FeedParseError):
        parse_feed(
            b"<html><body><p>a web page, not a feed</p></body></html>", content_type="text/html"
        )


def test_html_to_text_drops_scripts_and_decodes_entities() -> None:
    text = html_to_text(
        "<p>A &amp; B</p><script>alert('x')</script><ul><li>one</li><li>two</li></ul>"
    )
    assert text == "A & B\none\ntwo"


def test_tidy_whitespace_strips_lines_collapses_runs_and_drops_blank_lines() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        text = "".join(rng.choice("ab \n\t\r\u00a0\u2028\x0c") for _ in range(rng.randint(0, 30)))
        lines = (" ".join(line.split()) for line in text.split("\n"))
        assert tidy_whitespace(text) == "\n".join(line for line in lines if line), repr(text)
    assert tidy_whitespace("  a \t b \n\n \n c  ") == "a b\nc"
