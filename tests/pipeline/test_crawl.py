"""The crawl stage end to end against a real local HTTP server (bot/pipeline/crawl.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from bot.archive.filters import SearchFilters
from bot.archive.fts import search_keyword
from bot.config import Settings
from bot.errors import SourcesError, UsageError
from bot.pipeline.crawl import (
    CrawlOptions,
    StoreJob,
    Target,
    _Crawl,
    crawl_sources,
    store_feed,
    store_feeds,
)
from bot.pipeline.crawl_report import format_report, list_runs
from bot.pipeline.fetch import FetchResult
from bot.pipeline.identity import Candidate
from bot.store.db import session_scope
from bot.store.models import Article, FetchState, Run, Source
from tests.peers.http import HTTPPeer, write_sources

GOOD = ["rss2.xml", "atom.xml", "rdf.xml", "feed.json", "rss091.xml", "atom03.xml"]
FAST = CrawlOptions(host_delay_s=0.0, host_concurrency=4)


def settings_for(tmp_path: Path, engine: Engine, feeds: dict[str, str]) -> Settings:
    path = write_sources(tmp_path / "sources.yaml", feeds)
    return Settings(database_url=str(engine.url), sources_path=path, allow_private_networks=True)


def articles(engine: Engine) -> list[Article]:
    with session_scope(engine) as s:
        return list(s.exec(select(Article).order_by(Article.id)).all())


def test_crawl_stores_every_article_once_with_full_text(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    feeds = {name.split(".")[0]: http_server.url(f"/feeds/{name}") for name in GOOD}
    settings = settings_for(tmp_path, engine, feeds)
    report = crawl_sources(engine, settings, options=FAST)
    t = report["totals"]
    assert (t["fetched"], t["not_modified"], t["failed"], t["new"], t["updated"]) == (
        6,
        0,
        0,
        11,
        0,
    )
    assert t["extracted"] == 8
    assert t["extraction_failed_by_reason"] == {"http_404": 1, "paywalled": 1, "too_short": 1}
    rows = articles(engine)
    assert len(rows) == 11 and len({r.canonical_url for r in rows}) == 11
    chip = next(r for r in rows if r.guid == "wire-0001")
    assert chip.canonical_url == http_server.url("/pages/chip-export.html")  # utm_* stripped
    assert chip.extraction_status == "ok" and chip.text_source == "extracted"
    assert "sixty days" in chip.text and chip.site_name == "Briefing Fixture News"
    gone = next(r for r in rows if r.guid == "wire-0004")
    assert (gone.extraction_status, gone.extraction_reason) == ("failed", "http_404")
    assert gone.text == "This article's page returns 404."  # the feed summary is kept
    with engine.connect() as conn:  # every article is in the full-text index, with its page text
        hits = {i for i, _ in search_keyword(conn, '"sixty days"', SearchFilters(), 50)}
        assert chip.id in hits
        if engine.dialect.name == "sqlite":
            queued = conn.execute(text("SELECT count(*) FROM articles_fts_pending")).scalar()
            assert queued == 0
    # second crawl: every feed answers 304, nothing new, no duplicates, no page refetched
    pages_before = sum(1 for r in http_server.requests if r.path.startswith("/pages/"))
    again = crawl_sources(engine, settings, options=FAST)
    assert again["totals"]["not_modified"] == 6 and again["totals"]["new"] == 0
    assert len(articles(engine)) == 11
    assert sum(1 for r in http_server.requests if r.path.startswith("/pages/")) == pages_before
    runs = list_runs(engine)
    assert [r["run_id"] for r in runs] == [again["run_id"], report["run_id"]]
    assert runs[0]["status"] == "ok" and runs[0]["totals"]["not_modified"] == 6
    assert "fetched=6 not_modified=6 failed=0 new=0" in format_report(again)


def test_bad_sources_are_named_and_do_not_stop_the_others(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    http_server.route("/feeds/500.xml", status=500)
    http_server.route("/feeds/huge.xml", endless=True, content_type="application/rss+xml")
    http_server.route("/feeds/loop.xml", status=302, location="/feeds/loop.xml")
    http_server.route("/feeds/busy.xml", status=429, headers={"Retry-After": "3600"})
    feeds = {
        "good": http_server.url("/feeds/rss2.xml"),
        "malformed": http_server.url("/feeds/malformed.xml"),
        "charset": http_server.url("/feeds/lying-charset.xml"),
        "error": http_server.url("/feeds/500.xml"),
        "huge": http_server.url("/feeds/huge.xml"),
        "loop": http_server.url("/feeds/loop.xml"),
        "busy": http_server.url("/feeds/busy.xml"),
        "dead": "http://127.0.0.1:9/feed.xml",
    }
    settings = settings_for(tmp_path, engine, feeds)
    report = crawl_sources(engine, settings, options=FAST)
    reasons = {slug: s["reason"] for slug, s in report["sources"].items()}
    assert reasons == {
        "good": None,
        "malformed": "malformed_feed",
        "charset": None,
        "error": "http_500",
        "huge": "too_large",
        "loop": "too_many_redirects",
        "busy": "http_429",
        "dead": "connection_refused",
    }
    assert report["totals"]["failed"] == 6 and report["totals"]["new"] == 5
    with session_scope(engine) as s:
        busy = s.exec(select(Source).where(Source.slug == "busy")).one()
        state = s.get(FetchState, busy.id)
        assert state is not None and state.consecutive_failures == 1
        wait = (state.next_fetch_at - state.last_fetched_at).total_seconds()  # type: ignore[operator]
        assert 3590 <= wait <= 3610  # Retry-After honoured
    hits = http_server.hits("/feeds/busy.xml")
    again = crawl_sources(engine, settings, options=FAST)
    assert again["sources"]["busy"]["status"] == "deferred"
    assert http_server.hits("/feeds/busy.xml") == hits  # not asked again before Retry-After
    assert again["sources"]["good"]["status"] == "not_modified"


def test_changed_entries_update_their_row(engine: Engine, tmp_path: Path) -> None:
    version = {"title": "First title of the changing story"}

    def body(_headers: dict[str, str]) -> bytes:
        return (
            "<rss version='2.0'><channel><title>c</title><item><guid>c-1</guid>"
            f"<title>{version['title']}</title><link>http://127.0.0.1:9/x</link>"
            "<description>Some text that stays the same.</description></item></channel></rss>"
        ).encode()

    with HTTPPeer() as server:
        server.route("/changing.xml", body=body, content_type="application/rss+xml")
        settings = settings_for(tmp_path, engine, {"changing": server.url("/changing.xml")})
        opts = CrawlOptions(host_delay_s=0.0, fetch_pages=False)
        assert crawl_sources(engine, settings, options=opts)["totals"]["new"] == 1
        version["title"] = "Second title of the changing story"
        report = crawl_sources(engine, settings, options=opts)
    assert (report["totals"]["new"], report["totals"]["updated"]) == (0, 1)
    (row,) = articles(engine)
    assert row.title == "Second title of the changing story"
    assert (row.extraction_status, row.extraction_reason) == ("skipped", "pages_off")


def test_broken_sources_file_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - slug: x\n    name: X\n    url: not-a-url\n")
    settings = Settings(database_url=str(engine.url), sources_path=path)
    with pytest.raises(SourcesError) as err:
        crawl_sources(engine, settings)
    assert "sources[0].url" in str(err.value)
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Run)).one() == 0
        assert s.exec(select(func.count()).select_from(Source)).one() == 0


def test_unknown_slug_is_a_usage_error(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, engine, {"a": http_server.url("/feeds/rss2.xml")})
    with pytest.raises(UsageError, match="nope"):
        crawl_sources(engine, settings, slugs=["nope"])


def test_stop_event_interrupts_and_the_next_run_finishes(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    feeds = {name.split(".")[0]: http_server.url(f"/feeds/{name}") for name in GOOD}
    settings = settings_for(tmp_path, engine, feeds)
    stop = threading.Event()
    stop.set()
    report = crawl_sources(engine, settings, stop=stop, options=FAST)
    assert report["status"] == "interrupted" and report["totals"]["fetched"] == 0
    done = crawl_sources(engine, settings, options=FAST)
    assert done["status"] == "ok" and done["totals"]["new"] == 11


def test_only_selected_sources_are_crawled(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    feeds = {"rss": http_server.url("/feeds/rss2.xml"), "atom": http_server.url("/feeds/atom.xml")}
    settings = settings_for(tmp_path, engine, feeds)
    report: dict[str, Any] = crawl_sources(engine, settings, slugs=["atom"], options=FAST)
    assert list(report["sources"]) == ["atom"] and http_server.hits("/feeds/rss2.xml") == 0


def test_many_big_feeds_are_parsed_in_worker_processes(engine: Engine, tmp_path: Path) -> None:
    # >= POOL_MIN_SOURCES sources with bodies >= POOL_PARSE_BYTES go through the process pool
    with HTTPPeer() as server:
        feeds = {}
        for f in range(8):
            items = "".join(
                f"<item><guid>big-{f}-{n}</guid><title>Feed {f} item {n}</title>"
                f"<link>{server.base}/p/{f}/{n}</link><description>{'word ' * 120}</description></item>"
                for n in range(30)
            )
            body = (
                f"<rss version='2.0'><channel><title>B{f}</title>{items}</channel></rss>".encode()
            )
            assert len(body) > 16 * 1024
            server.route(f"/big{f}.xml", body=body, content_type="application/rss+xml")
            feeds[f"big{f}"] = server.url(f"/big{f}.xml")
        settings = settings_for(tmp_path, engine, feeds)
        opts = CrawlOptions(host_delay_s=0.0, fetch_pages=False, parse_workers=2)
        report = crawl_sources(engine, settings, options=opts)
    assert report["totals"]["new"] == 240 and report["totals"]["failed"] == 0
    rows = articles(engine)
    assert len(rows) == 240 and len({r.content_hash for r in rows}) == 240


def test_parser_processes_start_early_only_when_bodies_are_bound_to_come(engine: Engine) -> None:
    crawl = _Crawl(engine, CrawlOptions(parse_workers=2), None, None)  # type: ignore[arg-type]
    crawl.start_parsers(8, 0)  # 8 sources, all with an ETag or Last-Modified: most answer 304
    assert crawl.parsers is None and crawl.pool_allowed
    crawl.start_parsers(8, 8)  # a first crawl: the bodies will come
    assert crawl.parsers is not None
    crawl.stop_parsers()
    assert crawl.parsers is None and not crawl.pool_allowed
    crawl.start_parsers(7, 7)  # too few sources to be worth processes
    assert crawl.parsers is None and not crawl.pool_allowed


def test_changed_big_feeds_of_a_recrawl_start_the_parser_processes(
    engine: Engine, tmp_path: Path
) -> None:
    def big(f: int, version: int) -> bytes:
        items = "".join(
            f"<item><guid>v{version}-{f}-{n}</guid><title>Feed {f} item {n} v{version}</title>"
            f"<description>{'word ' * 120}</description></item>"
            for n in range(30)
        )
        return f"<rss version='2.0'><channel><title>B{f}</title>{items}</channel></rss>".encode()

    with HTTPPeer() as server:
        routes = [
            server.route(
                f"/big{f}.xml", body=big(f, 1), content_type="application/rss+xml", etag='"1"'
            )
            for f in range(8)
        ]
        feeds = {f"big{f}": server.url(f"/big{f}.xml") for f in range(8)}
        settings = settings_for(tmp_path, engine, feeds)
        opts = CrawlOptions(host_delay_s=0.0, fetch_pages=False, parse_workers=2)
        assert crawl_sources(engine, settings, options=opts)["totals"]["new"] == 240
        assert crawl_sources(engine, settings, options=opts)["totals"]["not_modified"] == 8
        for f, route in enumerate(routes):
            route.body, route.etag = big(f, 2), '"2"'
        report = crawl_sources(engine, settings, options=opts)
    assert (report["totals"]["fetched"], report["totals"]["new"]) == (8, 240)
    assert report["totals"]["failed"] == 0 and len(articles(engine)) == 480


def test_robots_txt_is_kept_for_a_day_across_runs(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    from datetime import timedelta

    from bot.store.models import RobotsTxt, utcnow

    http_server.route(
        "/robots.txt", body=b"User-agent: *\nDisallow: /feeds/atom.xml\n", content_type="text/plain"
    )
    feeds = {"rss2": http_server.url("/feeds/rss2.xml"), "atom": http_server.url("/feeds/atom.xml")}
    settings = settings_for(tmp_path, engine, feeds)
    opts = CrawlOptions(host_delay_s=0.0, fetch_pages=False)
    first = crawl_sources(engine, settings, options=opts)
    assert first["totals"]["failed_by_reason"] == {"robots_disallowed": 1}
    assert http_server.hits("/robots.txt") == 1
    with session_scope(engine) as s:  # make the refused source due again (no backoff)
        for state in s.exec(select(FetchState)).all():
            state.next_fetch_at = None
            s.add(state)
    second = crawl_sources(engine, settings, options=opts)
    assert http_server.hits("/robots.txt") == 1  # the stored copy is used: no request
    assert second["totals"]["failed_by_reason"] == {"robots_disallowed": 1}  # and still obeyed
    assert http_server.hits("/feeds/atom.xml") == 0
    with session_scope(engine) as s:  # a day later the copy is stale and fetched again
        row = s.get(RobotsTxt, http_server.base.rstrip("/"))
        assert row is not None and row.status == 200 and "Disallow" in row.body
        row.fetched_at = utcnow() - timedelta(hours=25)
        s.add(row)
    crawl_sources(engine, settings, options=opts)
    assert http_server.hits("/robots.txt") == 2


def test_unreachable_robots_txt_is_not_stored(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    from bot.store.models import RobotsTxt

    http_server.route("/robots.txt", status=503, body=b"busy")
    settings = settings_for(tmp_path, engine, {"rss2": http_server.url("/feeds/rss2.xml")})
    opts = CrawlOptions(host_delay_s=0.0, fetch_pages=False)
    report = crawl_sources(engine, settings, options=opts)
    assert report["totals"]["new"] > 0  # a 503 robots.txt does not block the feed
    with session_scope(engine) as s:
        assert s.exec(select(RobotsTxt)).all() == []
    crawl_sources(engine, settings, options=opts)
    assert http_server.hits("/robots.txt") == 2


def test_transient_page_failures_are_retried_then_given_up(
    engine: Engine, http_server: HTTPPeer, tmp_path: Path
) -> None:
    from bot.pipeline.crawl import MAX_PAGE_ATTEMPTS

    flaky, broken = "/pages/chip-export.html", "/pages/robotics-warehouse.html"
    http_server.route(flaky, status=503, body=b"busy")
    http_server.route(broken, status=500, body=b"down")
    feeds = {
        "rss2": http_server.url("/feeds/rss2.xml"),
        "json": http_server.url("/feeds/feed.json"),
    }
    settings = settings_for(tmp_path, engine, feeds)

    def row(path: str) -> Article:
        return next(a for a in articles(engine) if a.canonical_url == http_server.url(path))

    first = crawl_sources(engine, settings, options=FAST)
    assert first["totals"]["extraction_failed_by_reason"].get("http_503") == 1
    assert (row(flaky).extraction_status, row(flaky).extraction_reason) == ("pending", "http_503")
    assert row(flaky).extraction_attempts == 1
    del http_server.routes[flaky]  # the page is back: the next crawl extracts it
    crawl_sources(engine, settings, options=FAST)
    assert row(flaky).extraction_status == "ok" and "sixty days" in row(flaky).text
    for _ in range(MAX_PAGE_ATTEMPTS):
        crawl_sources(engine, settings, options=FAST)
    gone = row(broken)
    assert (gone.extraction_status, gone.extraction_reason) == ("failed", "http_500")
    assert gone.extraction_attempts == MAX_PAGE_ATTEMPTS
    assert http_server.hits(broken) == MAX_PAGE_ATTEMPTS  # then never again
    assert row("/pages/paywall.html").extraction_attempts == 1  # not transient: tried once


def _sources(engine: Engine, n: int) -> list[int]:
    with session_scope(engine) as s:
        rows = [
            Source(slug=f"s{i}", name=f"S{i}", url=f"http://127.0.0.1:9/{i}.xml") for i in range(n)
        ]
        s.add_all(rows)
        s.flush()
        return [int(r.id or 0) for r in rows]


def _jobs(ids: list[int]) -> list[StoreJob]:
    """Four feeds of one group that touch each other's articles: an article seen again by
    another outlet (same URL), changed by a third and then seen as changed by a fourth, and
    one repeated within a feed."""
    text = "A chip maker began shipping its new accelerator to cloud customers this week."

    def cand(n: int, title: str, body: str = text, guid: str | None = None) -> Candidate:
        return Candidate(
            url=f"http://127.0.0.1:9/a/{n}?utm_source=x", title=title, text=body, guid=guid
        )

    def job(i: int, cands: list[Candidate]) -> StoreJob:
        target = Target(ids[i] if i < len(ids) else 10_000 + i, f"s{i}", "u", "rss", {})
        return (
            target,
            cands,
            FetchResult(url="u", final_url="u", status=200, headers={"etag": f'"{i}"'}),
        )

    return [
        job(
            0,
            [
                cand(1, "Chips ship"),
                cand(2, "Agents at work", guid="g2"),
                cand(2, "Agents at work", guid="g2"),
            ],
        ),
        job(1, [cand(1, "Chips ship"), cand(3, "Rules in force", text + " The rule applies now.")]),
        job(
            2,
            [cand(1, "Chips ship, updated", text + " Volumes doubled."), cand(4, "Funding round")],
        ),
        job(3, [cand(1, "Chips ship, updated", text + " Volumes doubled.")]),
    ]


def _rows(engine: Engine) -> list[tuple[Any, ...]]:
    with session_scope(engine) as s:
        arts = s.exec(select(Article).order_by(Article.id)).all()
        states = s.exec(select(FetchState).order_by(FetchState.source_id)).all()
        return [(a.source_id, a.canonical_url, a.title, a.text, a.content_hash) for a in arts] + [
            (f.source_id, f.etag, f.last_status, f.consecutive_failures) for f in states
        ]


def test_a_group_of_feeds_is_stored_as_one_feed_after_another(db_url: str, tmp_path: Path) -> None:
    from bot.store.db import open_engine

    one_by_one, grouped = open_engine(db_url), open_engine(f"sqlite:///{tmp_path / 'g.db'}")
    if not db_url.startswith("sqlite"):  # the other backend: group on it, compare with SQLite
        one_by_one, grouped = grouped, one_by_one
    ids = _sources(one_by_one, 4)
    assert _sources(grouped, 4) == ids
    alone = [store_feed(one_by_one, *job, False) for job in _jobs(ids)]
    together = store_feeds(grouped, _jobs(ids), False)
    assert (
        together
        == alone
        == [
            {"new": 2, "updated": 0, "unchanged": 1},
            {"new": 1, "updated": 0, "unchanged": 1},
            {"new": 1, "updated": 1, "unchanged": 0},
            {"new": 0, "updated": 0, "unchanged": 1},
        ]
    )
    assert _rows(grouped) == _rows(one_by_one)
    assert [r[2] for r in _rows(grouped)[:4]] == [
        "Chips ship, updated",
        "Agents at work",
        "Rules in force",
        "Funding round",
    ]


def test_a_feed_that_cannot_be_stored_does_not_stop_its_group(engine: Engine) -> None:
    ids = _sources(engine, 2)  # the last two jobs' source does not exist: their rows break a key
    out = store_feeds(engine, _jobs(ids), False)
    assert out[:2] == [
        {"new": 2, "updated": 0, "unchanged": 1},
        {"new": 1, "updated": 0, "unchanged": 1},
    ]
    assert isinstance(out[2], Exception) and isinstance(out[3], Exception)
    rows = _rows(engine)
    assert len([r for r in rows if len(r) == 5]) == 3  # the first two feeds' articles
    assert [r[:2] for r in rows if len(r) == 4] == [(ids[0], '"0"'), (ids[1], '"1"')]
