"""JSON Feed 1.0/1.1 parsing by our own code (bot/pipeline/jsonfeed.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.pipeline.feeds import FeedParseError
from bot.pipeline.jsonfeed import looks_like_json_feed, parse_json_feed


def feed(items: list, version: str = "https://jsonfeed.org/version/1.1", **extra: object) -> bytes:
    return json.dumps({"version": version, "title": "T", "items": items, **extra}).encode()


def test_version_1_1_items_and_authors() -> None:
    body = feed(
        [
            {
                "id": 42,
                "url": "/posts/1",
                "title": "<b>Hello</b>",
                "content_html": "<p>Body &amp; more</p>",
                "date_published": "2026-03-07T09:30:00+01:00",
                "authors": [{"name": "Ada"}, {"name": "Lin"}],
            }
        ],
        home_page_url="https://example.org/blog/",
    )
    parsed = parse_json_feed(body, url="https://example.org/feed.json")
    entry = parsed.entries[0]
    assert parsed.format == "jsonfeed1.1"
    assert entry.guid == "42"
    assert entry.url == "https://example.org/posts/1"
    assert entry.title == "Hello"
    assert entry.content == "Body & more"
    assert entry.author == "Ada, Lin"
    assert entry.published_at == datetime(2026, 3, 7, 8, 30, tzinfo=UTC)


def test_version_1_0_author_and_text_content() -> None:
    body = feed(
        [
            {
                "id": "a",
                "external_url": "https://x.org/a",
                "content_text": "plain",
                "author": {"name": "B"},
            }
        ],
        version="https://jsonfeed.org/version/1",
    )
    entry = parse_json_feed(body).entries[0]
    assert (entry.url, entry.content, entry.author, entry.published_at) == (
        "https://x.org/a",
        "plain",
        "B",
        None,
    )


def test_bad_items_are_skipped_and_bad_documents_raise() -> None:
    parsed = parse_json_feed(feed(["not an object", {}, {"id": "ok", "title": "kept"}]))
    assert [e.guid for e in parsed.entries] == ["ok"]
    with pytest.raises(FeedParseError):
        parse_json_feed(b"{not json")
    with pytest.raises(FeedParseError):
        parse_json_feed(b'{"version": "https://jsonfeed.org/version/1.1"}')


def test_detection_by_type_or_content() -> None:
    assert looks_like_json_feed(b"", "application/feed+json")
    assert looks_like_json_feed(feed([]), "")
    assert not looks_like_json_feed(b"<rss></rss>", "application/xml")
