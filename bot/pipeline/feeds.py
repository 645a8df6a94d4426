"""Feed parsing: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and RDF through feedparser, JSON Feed by ours.

Everything becomes :class:`FeedEntry` (guid, url resolved against the feed, title, summary as
plain text, author, published_at in UTC, content as plain text). feedparser gets the raw bytes
and the response headers, so it handles the charset itself; a lying charset falls back rather
than crashing. HTML sanitising is off because we never keep HTML: all text is reduced to plain
text here and escaped again by every renderer.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.pipeline import feed_speed
from bot.pipeline.feed_tree import parse_tree

feed_speed.install()

_TAG = re.compile(r"<[^>]*>")
_SPACE_JOIN = " ".join
_BLOCK = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|blockquote|pre|section|article)\b[^>]*>", re.I)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)


class FeedParseError(Exception):
    """A feed body that cannot be read as any feed format; ``reason`` goes into the report."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.args = (reason, detail)  # so the error survives pickling from a parser process
        self.reason = reason
        self.detail = detail


@dataclass
class FeedEntry:
    """One normalised feed entry."""

    guid: str | None
    url: str
    title: str
    summary: str
    author: str | None = None
    published_at: datetime | None = None
    content: str = ""


@dataclass
class ParsedFeed:
    """The entries of one feed and what format it was."""

    entries: list[FeedEntry] = field(default_factory=list)
    title: str = ""
    format: str = ""
    warning: str | None = None  # feedparser's bozo message for a feed it could still read
    dropped: int = 0  # entries with no title, link, id, summary or content: nothing to keep


def tidy_whitespace(text: str) -> str:
    """Runs of spaces become one space, blank lines vanish, lines are stripped.

    str.split() per line rather than regular expressions: a whitespace regex tries a match at
    every character, which cost more than feedparser's own work on big content feeds; map and
    filter keep the per-line loop in C.
    """
    return "\n".join(filter(None, map(_SPACE_JOIN, map(str.split, text.split("\n")))))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, whitespace tidied."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return tidy_whitespace(fragment)
    text = _SCRIPT.sub(" ", fragment)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub(" ", text)
    return tidy_whitespace(html.unescape(text))


def _utc(struct: Any) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def _entry_html(entry: Any) -> str:
    best = ""
    for part in entry.get("content") or []:
        value = part.get("value") or ""
        if len(value) > len(best):
            best = value
    return best


def _normalise(entry: Any, base: str) -> FeedEntry | None:
    link = entry.get("link") or ""
    if not link:
        for alt in entry.get("links") or []:
            if alt.get("rel", "alternate") == "alternate" and alt.get("href"):
                link = alt["href"]
                break
    guid = entry.get("id") or entry.get("guid") or None
    title = html_to_text(entry.get("title") or "")
    content_html = _entry_html(entry)
    content = html_to_text(content_html)
    summary_html = entry.get("summary") or ""
    # feedparser often fills summary with the content itself (1 entry in 5 of the real feeds)
    summary = content if summary_html == content_html else html_to_text(summary_html)
    summary = summary or content[:1000]
    if not (link or guid or title or summary or content):
        return None
    try:
        url = urljoin(base, link.strip()) if link else ""
    except ValueError:
        url = ""
    author = entry.get("author") or None
    return FeedEntry(
        guid=str(guid).strip() or None if guid else None,
        url=url,
        title=title,
        summary=summary,
        author=html_to_text(author) if author else None,
        published_at=_utc(entry.get("published_parsed")) or _utc(entry.get("updated_parsed")),
        content=content,
    )


def parse_feed(
    body: bytes, *, url: str = "", content_type: str = "", kind: str = "auto"
) -> ParsedFeed:
    """Parse a feed body of any supported format; raise FeedParseError when nothing is readable."""
    from bot.pipeline.jsonfeed import looks_like_json_feed, parse_json_feed

    jsonish = body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    if jsonish and (kind == "jsonfeed" or looks_like_json_feed(body, content_type)):
        return parse_json_feed(body, url=url)
    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type
    parsed = parse_tree(body, headers) if feed_speed.active() else None
    if parsed is None:  # anything the tree replay is not sure of: feedparser itself
        parsed = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    warning = None
    if parsed.get("bozo"):
        warning = f"{type(parsed.get('bozo_exception')).__name__}"
    if not parsed.entries:
        if not parsed.get("version") and parsed.get("bozo"):
            raise FeedParseError("malformed_feed", warning or "")
        if not parsed.get("version"):
            raise FeedParseError("not_a_feed", content_type or "unknown content")
    base = parsed.feed.get("link") or url
    base = urljoin(url, base) if url else base
    entries = [e for e in (_normalise(raw, url or base) for raw in parsed.entries) if e]
    return ParsedFeed(
        entries=entries,
        dropped=len(parsed.entries) - len(entries),
        title=html_to_text(parsed.feed.get("title") or ""),
        format=parsed.get("version") or "",
        warning=warning,
    )
