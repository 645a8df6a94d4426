"""`briefing sources check [--fetch]`: validate the feed list, optionally fetch every feed once.

Fetching goes through the crawler's own parts: the guarded client (``bot.http.make_client``: SSRF guard,
User-Agent, size and redirect limits), the polite :class:`~bot.pipeline.fetch.Fetcher`
(robots.txt, per-host gate and delay, each source's ``delay``/``timeout`` options) and the feed
parser. No conditional GET (the point is to see the feed) and nothing is written anywhere.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.config import Settings
from bot.errors import SourcesError
from bot.sources import SourceSpec, load_sources

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


async def _check_one(fetcher: Any, spec: SourceSpec, max_bytes: int) -> dict[str, Any]:
    from bot.pipeline.feeds import FeedParseError, parse_feed

    result = await fetcher.fetch(
        spec.url,
        max_bytes=max_bytes,
        delay_s=spec.options.get("delay"),
        timeout_s=spec.options.get("timeout"),
        accept=FEED_ACCEPT,
    )
    row: dict[str, Any] = {
        "slug": spec.slug,
        "url": spec.url,
        "status": result.status,
        "entries": 0,
        "format": None,
        "seconds": round(result.elapsed_s, 3),
        "ok": False,
        "error": result.reason,
    }
    if result.ok:
        try:
            parsed = parse_feed(
                result.body,
                url=result.final_url or spec.url,
                content_type=result.headers.get("content-type", ""),
                kind=spec.kind,
            )
        except FeedParseError as exc:
            row["error"] = exc.reason
        else:
            row.update(entries=len(parsed.entries), format=parsed.format or spec.kind)
            row["ok"] = bool(parsed.entries)
            row["error"] = None if parsed.entries else "no_entries"
    elif result.reason is None:
        row["error"] = f"http_{result.status}"
    return row


async def _check_all(settings: Settings, specs: list[SourceSpec]) -> list[dict[str, Any]]:
    from bot.http import MAX_FEED_BYTES, make_client
    from bot.pipeline.fetch import Fetcher

    async with make_client(settings) as client:
        fetcher = Fetcher(client)
        return list(await asyncio.gather(*(_check_one(fetcher, s, MAX_FEED_BYTES) for s in specs)))


def fetch_feeds_once(settings: Settings, specs: list[SourceSpec]) -> list[dict[str, Any]]:
    """Fetch each feed once; one row per source: status, entries, format, seconds, ok, error."""
    return asyncio.run(_check_all(settings, specs))


def check_sources(
    settings: Settings, *, fetch: bool = False, slugs: list[str] | None = None
) -> dict[str, Any]:
    """Validate the sources file; with ``fetch``, fetch each feed once and count its entries."""
    specs = load_sources(settings.sources_path)
    result: dict[str, Any] = {
        "path": str(settings.sources_path),
        "count": len(specs),
        "valid": True,
    }
    if fetch:
        unknown = sorted(set(slugs or []) - {s.slug for s in specs})
        if unknown:
            raise SourcesError(f"unknown source slug(s): {', '.join(unknown)}")
        chosen = [s for s in specs if not slugs or s.slug in slugs]
        result["fetched"] = fetch_feeds_once(settings, chosen)
    return result
