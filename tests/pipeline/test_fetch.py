"""Polite fetching against a real local server (bot/pipeline/fetch.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.http import make_client
from bot.pipeline.fetch import Fetcher, FetchResult, parse_retry_after
from tests.peers.http import HTTPPeer


def fetch_all(urls: list[str], allow: bool = True, **kwargs: Any) -> list[FetchResult]:
    opts = {"host_delay_s": kwargs.pop("host_delay_s", 0.0)}

    async def go() -> list[FetchResult]:
        async with make_client(Settings(allow_private_networks=allow)) as client:
            fetcher = Fetcher(client, **opts)
            return list(
                await asyncio.gather(*(fetcher.fetch(u, max_bytes=100_000, **kwargs) for u in urls))
            )

    return asyncio.run(go())


def test_conditional_get_gives_304(http_server: HTTPPeer) -> None:
    url = http_server.url("/feeds/atom.xml")
    (first,) = fetch_all([url])
    assert first.ok and first.headers["etag"] and first.headers["last-modified"]
    (by_etag,) = fetch_all([url], etag=first.headers["etag"])
    (by_date,) = fetch_all([url], last_modified=first.headers["last-modified"])
    assert by_etag.not_modified and by_date.not_modified and by_etag.body == b""


def test_failures_are_named(http_server: HTTPPeer) -> None:
    http_server.route("/500", status=500)
    http_server.route("/slow", delay_s=2.0, body=b"late")
    http_server.route("/big", endless=True)
    http_server.route("/loop", status=301, location="/loop")
    urls = [http_server.url(p) for p in ("/500", "/slow", "/big", "/loop", "/nothing-here")]
    results = fetch_all(urls + ["http://127.0.0.1:9/closed"], timeout_s=0.5)
    assert [r.reason for r in results] == [
        "http_500",
        "timeout",
        "too_large",
        "too_many_redirects",
        "http_404",
        "connection_refused",
    ]
    (blocked,) = fetch_all([http_server.url("/feeds/rss2.xml")], allow=False)
    assert blocked.reason == "blocked_private_address"


def test_retry_after_is_read_from_429(http_server: HTTPPeer) -> None:
    http_server.route("/busy", status=429, headers={"Retry-After": "120"})
    (busy,) = fetch_all([http_server.url("/busy")])
    assert (busy.reason, busy.retry_after_s) == ("http_429", 120.0)


def test_parse_retry_after() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Sun, 01 Mar 2026 12:05:00 GMT", now) == 300.0
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("9999999", now) == 24 * 3600  # capped
    assert parse_retry_after("soon", now) is None


def test_robots_txt_is_honoured(http_server: HTTPPeer) -> None:
    http_server.route(
        "/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    http_server.route("/private/page", body=b"secret")
    private, public = fetch_all(
        [http_server.url("/private/page"), http_server.url("/pages/short.html")]
    )
    assert private.reason == "robots_disallowed" and public.ok
    assert http_server.hits("/private/page") == 0
    assert http_server.hits("/robots.txt") == 1  # cached per host for the run


def test_per_host_delay_spaces_requests(http_server: HTTPPeer) -> None:
    urls = [http_server.url(f"/pages/short.html?n={i}") for i in range(4)]
    results = fetch_all(urls, host_delay_s=0.25)
    assert all(r.ok for r in results)
    starts = sorted(r.at for r in http_server.requests if "short.html" in r.path)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.2


def test_gzip_bodies_are_decoded(tmp_path: Any) -> None:
    (tmp_path / "f.xml").write_bytes(
        b"<rss version='2.0'><channel><title>z</title></channel></rss>" * 50
    )
    with HTTPPeer(tmp_path, gzip=True) as server:
        (res,) = fetch_all([server.url("/f.xml")])
        assert res.body.startswith(b"<rss") and len(res.body) > 2000


def test_robots_404_and_the_feed_share_one_connection(tmp_path: Any) -> None:
    """A small error body (the usual robots.txt 404) is read, so its connection is reused."""
    (tmp_path / "f.xml").write_bytes(
        b"<rss version='2.0'><channel><title>z</title></channel></rss>"
    )
    with HTTPPeer(tmp_path) as a, HTTPPeer(tmp_path) as b:
        results = fetch_all([a.url("/f.xml"), b.url("/f.xml")])
        assert [r.status for r in results] == [200, 200]
        for peer in (a, b):
            assert [r.path for r in peer.requests] == ["/robots.txt", "/f.xml"]
            assert peer.connections == 1
