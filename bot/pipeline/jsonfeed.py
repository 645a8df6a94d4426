"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), parsed by our own code.

feedparser does not read JSON Feed. Items become the same :class:`FeedEntry` as RSS and Atom.
Malformed feeds raise :class:`FeedParseError` with a short reason; malformed items are skipped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from bot.pipeline.feeds import FeedEntry, FeedParseError, ParsedFeed, html_to_text


def looks_like_json_feed(body: bytes, content_type: str = "") -> bool:
    """True when the body (or its content type) says JSON Feed."""
    if "json" in content_type.lower():
        return True
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b"jsonfeed.org" in body[:4096]


def parse_iso_datetime(value: Any) -> datetime | None:
    """An RFC 3339 / ISO 8601 timestamp as an aware UTC datetime; None when unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _author(item: dict[str, Any], feed: dict[str, Any]) -> str | None:
    authors = item.get("authors") or ([item["author"]] if item.get("author") else None)
    authors = authors or feed.get("authors") or ([feed["author"]] if feed.get("author") else [])
    names = [
        a.get("name") for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
    ]
    return ", ".join(n.strip() for n in names if n and n.strip()) or None


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_json_feed(body: bytes, *, url: str = "") -> ParsedFeed:
    """Parse a JSON Feed document into normalised entries."""
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        raise FeedParseError("malformed_feed", "not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedParseError("malformed_feed", "JSON Feed without an items list")
    version = _str(data.get("version"))
    base = _str(data.get("home_page_url")) or _str(data.get("feed_url")) or url
    base = urljoin(url, base) if url else base
    entries: list[FeedEntry] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        link = _str(item.get("url")) or _str(item.get("external_url"))
        guid = item.get("id")
        guid_text = str(guid).strip() if isinstance(guid, str | int | float) else ""
        html = _str(item.get("content_html"))
        content = _str(item.get("content_text")) or html_to_text(html)
        summary = _str(item.get("summary")) or content[:1000]
        title = html_to_text(_str(item.get("title")))
        published = parse_iso_datetime(item.get("date_published")) or parse_iso_datetime(
            item.get("date_modified")
        )
        if not (link or guid_text or title or content):
            continue
        entries.append(
            FeedEntry(
                guid=guid_text or None,
                url=urljoin(base, link) if link else "",
                title=title,
                summary=html_to_text(summary),
                author=_author(item, data),
                published_at=published,
                content=content,
            )
        )
    return ParsedFeed(
        entries=entries,
        title=_str(data.get("title")),
        format=f"jsonfeed{version.rsplit('/', 1)[-1]}" if version else "jsonfeed",
    )
