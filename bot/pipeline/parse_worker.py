"""Feed parsing for worker processes: parse a body and prepare identity candidates.

Kept apart from the crawl module so a parser process imports only feedparser and the identity
rules (no database layer, no extractor): big feeds are parsed in a process pool, in parallel.
"""

from __future__ import annotations

from typing import Any

from bot.pipeline.feeds import ParsedFeed, parse_feed
from bot.pipeline.identity import Candidate


def feed_candidates(parsed: ParsedFeed) -> list[Candidate]:
    """The feed's entries as identity candidates, canonical URL and hash already computed."""
    return [
        Candidate(
            url=e.url,
            title=e.title,
            text=e.content or e.summary,
            guid=e.guid,
            summary=e.summary,
            author=e.author,
            published_at=e.published_at,
        ).prepare()
        for e in parsed.entries
    ]


def parse_candidates(
    body: bytes, kwargs: dict[str, Any], kind: str
) -> tuple[ParsedFeed, list[Candidate]]:
    """Parse a feed body and prepare its candidates (runs in a worker process for big feeds)."""
    parsed = parse_feed(body, kind=kind, **kwargs)
    cands = feed_candidates(parsed)
    parsed.entries = []  # the candidates carry everything; do not pickle the entries twice
    return parsed, cands


def warm_up() -> None:
    """Runs once in each parser process so its imports happen before the first feed arrives."""
