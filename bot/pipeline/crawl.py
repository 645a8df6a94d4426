"""The crawl stage: fetch every active source's feed, store its articles once, fetch full texts.

One run: read sources.yaml (a broken file raises SourcesError before anything is written), sync
the sources table, then fetch all feeds concurrently under per-host politeness. Each feed's
articles and its fetch state are committed in ONE transaction (the fetch state never gets ahead
of its articles), so a killed crawl loses nothing and the next run repeats only unfinished work.
Then each source's articles still ``pending`` extraction (new ones, any left by a crashed run,
and pages that failed transiently, retried up to ``MAX_PAGE_ATTEMPTS`` times in all) get their
page fetched and extracted, one commit per article. The run report is stored
as a ``Run`` row (kind ``crawl``) and returned.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.archive.fts import FTS_BATCH_ROWS, index_pending, index_pending_now
from bot.config import Settings
from bot.errors import UsageError
from bot.http import MAX_FEED_BYTES, MAX_PAGE_BYTES, make_client
from bot.pipeline import crawl_report
from bot.pipeline.extract import extract_page
from bot.pipeline.feeds import FeedParseError, ParsedFeed
from bot.pipeline.fetch import Fetcher, FetchResult, RobotsEntry, host_key
from bot.pipeline.gate import LargestFirstGate
from bot.pipeline.identity import Candidate, IdentityIndex, upsert_candidate
from bot.pipeline.parse_worker import parse_candidates, warm_up
from bot.store.checkpoint import background_checkpoints
from bot.store.db import chunked, session_scope
from bot.store.models import Article, FetchState, RobotsTxt, Run, Source, utcnow

log = logging.getLogger(__name__)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)
BACKOFF_BASE_S = 60
MAX_PAGE_ATTEMPTS = 3  # a page that fails transiently is tried again on the next crawls, this often
TRANSIENT_REASONS = {
    "timeout",
    "connection_error",
    "connection_refused",
    "dns_error",
    "bad_response",
}
BACKOFF_MAX_S = 6 * 3600
POOL_PARSE_BYTES = 16 * 1024  # bigger feeds are parsed in worker processes, in parallel
POOL_MIN_SOURCES = 8  # fewer sources: parse in a thread, do not start processes
STORE_GROUP_FEEDS = 8  # at most this many waiting feeds share one transaction
STORE_BACKLOG_FEEDS = 2 * STORE_GROUP_FEEDS  # parsed feeds waiting to be stored, at most


def _env_float(settings: Settings, name: str, default: float) -> float:
    raw = settings.extra.get(name)
    try:
        return float(raw) if raw not in (None, "") else default
    except ValueError:
        from bot.errors import ConfigError

        raise ConfigError(f"{name}: expected a number, got {raw!r}") from None


@dataclass
class CrawlOptions:
    """Tuning of a crawl; ``from_settings`` reads the BRIEFING_CRAWL_* variables."""

    host_concurrency: int = 2
    host_delay_s: float = 1.0
    fetch_pages: bool = True
    obey_robots: bool = True
    max_feed_bytes: int = MAX_FEED_BYTES
    max_page_bytes: int = MAX_PAGE_BYTES
    page_concurrency: int = 16
    parse_workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))

    @classmethod
    def from_settings(cls, settings: Settings) -> CrawlOptions:
        """Options from BRIEFING_CRAWL_HOST_DELAY, _HOST_CONCURRENCY and _FETCH_PAGES."""
        pages = settings.extra.get("BRIEFING_CRAWL_FETCH_PAGES", "1").strip().lower()
        return cls(
            host_concurrency=max(
                1, int(_env_float(settings, "BRIEFING_CRAWL_HOST_CONCURRENCY", 2))
            ),
            host_delay_s=max(0.0, _env_float(settings, "BRIEFING_CRAWL_HOST_DELAY", 1.0)),
            fetch_pages=pages not in ("0", "false", "no", "off"),
        )


@dataclass
class Target:
    """A source to crawl, as read from the sources table."""

    id: int
    slug: str
    url: str
    kind: str
    options: dict[str, Any]


def _read_targets(engine: Engine, settings: Settings, slugs: list[str] | None) -> list[Target]:
    from bot.sources import load_sources, sync_sources

    specs = load_sources(settings.sources_path)  # SourcesError (exit 2) before any write
    if slugs:
        unknown = sorted(set(slugs) - {s.slug for s in specs})
        if unknown:
            raise UsageError(f"unknown source slug(s): {', '.join(unknown)}")
    with session_scope(engine) as session:
        rows = sync_sources(session, specs)
        return [
            Target(r.id or 0, r.slug, r.url, r.kind, dict(r.options or {}))
            for r in rows
            if r.active and (not slugs or r.slug in slugs)
        ]


# ----------------------------------------------------------------- database work (one thread)


def load_states(engine: Engine, source_ids: list[int]) -> dict[int, FetchState]:
    """Fetch state of these sources, in one query per 500 (detached rows)."""
    out: dict[int, FetchState] = {}
    with session_scope(engine) as session:
        for chunk in chunked(source_ids):
            for row in session.exec(select(FetchState).where(FetchState.source_id.in_(chunk))):  # type: ignore[attr-defined]
                out[row.source_id] = row
        session.expunge_all()
    return out


def _has_validators(state: FetchState | None) -> bool:
    """Whether a conditional GET can be made (the feed may answer 304 without a body)."""
    return state is not None and bool(state.etag or state.last_modified)


def _state_row(session: Any, source_id: int) -> FetchState:
    return session.get(FetchState, source_id) or FetchState(source_id=source_id)


def store_feed(
    engine: Engine, target: Target, cands: list[Candidate], res: FetchResult, fetch_pages: bool
) -> dict[str, int]:
    """Upsert the feed's articles and then its fetch state, in one transaction."""
    with session_scope(engine) as session:
        counts = _store_one(session, target, cands, res, fetch_pages)
        index_pending(session.connection(), min_rows=FTS_BATCH_ROWS)
    return counts


StoreJob = tuple[Target, list[Candidate], FetchResult]


def store_feeds(
    engine: Engine, jobs: list[StoreJob], fetch_pages: bool
) -> list[dict[str, int] | BaseException]:
    """Store several parsed feeds in ONE transaction (a group commit); counts per feed.

    Each feed's fetch state is written after its articles, so a killed process loses no
    article: the whole group is refetched. If the group fails, every feed is tried again in a
    transaction of its own, and only a feed that fails alone gets its exception in the list.
    Grouping the feeds that wait together saves a commit, a session and a queue check each
    (with the one-statement fetch state, storing the 100 benchmark feeds took 3.32 -> 3.23 G
    instructions under callgrind, in groups of 8).
    """
    try:
        with session_scope(engine) as session:
            out: list[dict[str, int] | BaseException] = [
                _store_one(session, target, cands, res, fetch_pages) for target, cands, res in jobs
            ]
            index_pending(session.connection(), min_rows=FTS_BATCH_ROWS)
        return out
    except Exception:  # noqa: BLE001 - each feed alone, below
        log.info("group of %d feeds failed to store; storing them one by one", len(jobs))
    out = []
    for job in jobs:
        try:
            out.append(store_feed(engine, *job, fetch_pages))
        except Exception as exc:  # noqa: BLE001 - the feed's own crawl reports it
            out.append(exc)
    return out


def _store_one(
    session: Any, target: Target, cands: list[Candidate], res: FetchResult, fetch_pages: bool
) -> dict[str, int]:
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    max_items = target.options.get("max_items")
    cands = cands[: int(max_items)] if max_items else cands
    pages = fetch_pages and target.options.get("fetch_pages", True) is not False
    index = IdentityIndex(session, target.id, cands)
    for cand in cands:
        if pages and cand.url.startswith(("http://", "https://")):
            extra: dict[str, Any] = {"extraction_status": "pending"}
        else:
            reason = "pages_off" if not pages else "no_url"
            extra = {"extraction_status": "skipped", "extraction_reason": reason}
        status, _row = upsert_candidate(index, cand, text_source="feed", **extra)
        counts[status] += 1
    index.flush()  # the articles first, then the fetch state, in the same transaction
    session.flush()  # changed rows too: the next feed of a group must see them
    save_fetch_state(
        session.connection(),
        target.id,
        etag=res.headers.get("etag"),
        last_modified=res.headers.get("last-modified"),
        last_fetched_at=utcnow(),
        last_status=res.status,
        last_error=None,
        consecutive_failures=0,
        next_fetch_at=None,
    )
    return counts


def save_fetch_state(conn: Any, source_id: int, **values: Any) -> None:
    """Insert or update a source's fetch state in one statement (SQLite or PostgreSQL)."""
    from sqlalchemy.dialects import postgresql, sqlite

    table = FetchState.__table__  # type: ignore[attr-defined]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(source_id=source_id, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["source_id"], set_=values))


def _store_outcome(engine: Engine, source_id: int, res: FetchResult, reason: str | None) -> Any:
    """Record a 304 (reason None) or a failure with backoff; returns next_fetch_at."""
    now = utcnow()
    with session_scope(engine) as session:
        state = _state_row(session, source_id)
        state.last_fetched_at = now
        state.last_status = res.status
        if reason is None:
            state.last_error = None
            state.consecutive_failures = 0
            state.next_fetch_at = None
        else:
            state.last_error = reason
            state.consecutive_failures = (state.consecutive_failures or 0) + 1
            wait = res.retry_after_s
            if wait is None:
                wait = min(BACKOFF_BASE_S * 2 ** (state.consecutive_failures - 1), BACKOFF_MAX_S)
            state.next_fetch_at = now + timedelta(seconds=wait)
        session.add(state)
        return state.next_fetch_at


def load_robots(engine: Engine, urls: list[str]) -> dict[str, RobotsEntry]:
    """The stored robots.txt answers of these URLs' hosts."""
    keys = sorted({host_key(u) for u in urls})
    out: dict[str, RobotsEntry] = {}
    with session_scope(engine) as session:
        for chunk in chunked(keys):
            for row in session.exec(select(RobotsTxt).where(RobotsTxt.host.in_(chunk))):  # type: ignore[attr-defined]
                if row.fetched_at is not None:
                    out[row.host] = RobotsEntry(row.status, row.body, row.fetched_at)
    return out


def store_robots(engine: Engine, fetched: dict[str, RobotsEntry]) -> None:
    """Keep the robots.txt answers fetched in this run for the next runs."""
    if not fetched:
        return
    table = RobotsTxt.__table__  # type: ignore[attr-defined]
    keys = sorted(fetched)
    with session_scope(engine) as session:
        conn = session.connection()
        for chunk in chunked(keys):
            conn.execute(table.delete().where(table.c.host.in_(chunk)))
        rows = [
            {"host": k, "status": e.status, "body": e.body, "fetched_at": e.fetched_at}
            for k, e in sorted(fetched.items())
        ]
        conn.execute(table.insert(), rows)


def _pending_pages(engine: Engine, source_id: int) -> list[tuple[int, str]]:
    with session_scope(engine) as session:
        q = select(Article.id, Article.url).where(
            Article.source_id == source_id, Article.extraction_status == "pending"
        )
        return [(int(i or 0), u) for i, u in session.exec(q).all()]


def _store_extraction(engine: Engine, article_id: int, got: Any, reason: str | None) -> None:
    now = utcnow()
    with session_scope(engine) as session:
        row = session.get(Article, article_id)
        if row is None:
            return
        row.extracted_at = now
        if reason is None and got is not None and got.ok:
            row.text = got.text
            row.text_source = "extracted"
            row.extraction_status = "ok"
            row.extraction_reason = None
            row.author = row.author or got.author
            row.language = got.language
            row.site_name = got.site_name
            row.published_at = row.published_at or got.published_at
        else:
            row.extraction_reason = reason or (got.reason if got is not None else "unknown")
            row.extraction_attempts = (row.extraction_attempts or 0) + 1
            retry = is_transient(row.extraction_reason)
            if retry and row.extraction_attempts < MAX_PAGE_ATTEMPTS:
                row.extraction_status = "pending"  # the next crawl of this source tries again
            else:
                row.extraction_status = "failed"  # the feed's summary stays as the text
        row.updated_at = now
        session.add(row)


def is_transient(reason: str | None) -> bool:
    """Whether a page failure may pass by itself (timeouts, 5xx, 429, connection trouble)."""
    if not reason:
        return False
    if reason.startswith("http_"):
        code = reason[5:]
        return code == "429" or (code.isdigit() and code.startswith("5"))
    return reason in TRANSIENT_REASONS


# ----------------------------------------------------------------- the async crawl


class _Crawl:
    def __init__(self, engine: Engine, opts: CrawlOptions, fetcher: Fetcher, stop: Any) -> None:
        self.engine = engine
        self.opts = opts
        self.fetcher = fetcher
        self.stop = stop
        self.db: Executor = ThreadPoolExecutor(1, thread_name_prefix="crawl-db")
        self.parsers: Executor | None = None
        self.pool_allowed = False  # enough sources for parser processes (start_parsers)
        # bodies being parsed, then parsed feeds waiting for the database: both bound memory.
        # A slot held until the store too made the parsers wait whenever big feeds were being
        # stored (a first crawl of the 100 benchmark feeds: median 5.04 -> 4.79 s without that).
        self.parse_gate = LargestFirstGate(max(2, opts.parse_workers * 2))
        self.backlog = asyncio.Semaphore(STORE_BACKLOG_FEEDS)
        self.states: dict[int, FetchState] = {}  # loaded once per run (load_states)
        self.page_gate = asyncio.Semaphore(opts.page_concurrency)
        self.store_queue: list[tuple[StoreJob, asyncio.Future[Any]]] = []
        self.store_task: asyncio.Task[None] | None = None

    def start_parsers(self, n_sources: int, n_fresh: int) -> None:
        """Start the parser processes early (they import while the first feeds download).

        Only when at least ``POOL_MIN_SOURCES`` sources have no ETag or Last-Modified yet, so
        that their bodies are bound to come: a re-crawl of feeds that mostly answer 304 does
        not pay two interpreters' imports for nothing, and starts them at its first big body.
        """
        self.pool_allowed = self.opts.parse_workers > 1 and n_sources >= POOL_MIN_SOURCES
        if self.pool_allowed and n_fresh >= POOL_MIN_SOURCES:
            self._start_pool()

    def _start_pool(self) -> None:
        if self.parsers is None:
            import multiprocessing

            ctx = multiprocessing.get_context("spawn")
            self.parsers = ProcessPoolExecutor(self.opts.parse_workers, mp_context=ctx)
            for _ in range(self.opts.parse_workers):
                self.parsers.submit(warm_up)

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    async def run_db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    async def parse(
        self, body: bytes, target: Target, res: FetchResult
    ) -> tuple[ParsedFeed, list[Candidate]]:
        kwargs = {"url": res.final_url, "content_type": res.headers.get("content-type", "")}
        loop = asyncio.get_running_loop()
        if len(body) >= POOL_PARSE_BYTES and self.pool_allowed:
            self._start_pool()
            return await loop.run_in_executor(
                self.parsers, parse_candidates, body, kwargs, target.kind
            )
        return await asyncio.to_thread(parse_candidates, body, kwargs, target.kind)

    async def store(self, target: Target, cands: list[Candidate], res: FetchResult) -> Any:
        """Store a parsed feed; feeds that wait while the database is busy go in together."""
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.store_queue.append(((target, cands, res), done))
        if self.store_task is None:
            self.store_task = asyncio.create_task(self._drain_store_queue())
        result = await done
        if isinstance(result, BaseException):
            raise result
        return result

    async def _drain_store_queue(self) -> None:
        try:
            while self.store_queue:
                group = self.store_queue[:STORE_GROUP_FEEDS]
                del self.store_queue[: len(group)]
                try:
                    results = await self.run_db(
                        store_feeds, self.engine, [job for job, _ in group], self.opts.fetch_pages
                    )
                except Exception as exc:  # noqa: BLE001 - handed to each feed's own crawl
                    results = [exc] * len(group)
                for (_, done), result in zip(group, results, strict=True):
                    if not done.done():
                        done.set_result(result)
        finally:
            self.store_task = None
            for _, done in self.store_queue:  # cancelled while waiting: nothing stored
                if not done.done():
                    done.cancel()
            self.store_queue.clear()

    async def crawl_source(self, target: Target) -> dict[str, Any]:
        started = time.monotonic()
        rep = crawl_report.empty_source_report(target.slug, target.url)
        try:
            await self._crawl_source(target, rep)
        except Exception as exc:  # noqa: BLE001 - one source's bug must not stop the others
            log.exception("crawl of %s failed", target.slug)
            rep.update(status="failed", failed=1, reason=f"internal_error:{type(exc).__name__}")
        finally:
            rep["duration_s"] = round(time.monotonic() - started, 3)
        return rep

    async def _crawl_source(self, target: Target, rep: dict[str, Any]) -> None:
        if self.stopped():
            rep["status"] = "interrupted"
            return
        state = self.states.get(target.id)
        if state is not None and state.next_fetch_at is not None:
            due = state.next_fetch_at.replace(tzinfo=state.next_fetch_at.tzinfo or UTC)
            if due > utcnow():
                rep.update(status="deferred", next_fetch_at=due.isoformat())
                return
        delay = target.options.get("delay")
        timeout = target.options.get("timeout")
        res = await self.fetcher.fetch(
            target.url,
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
            max_bytes=self.opts.max_feed_bytes,
            delay_s=float(delay) if delay is not None else None,
            timeout_s=float(timeout) if timeout is not None else None,
            accept=FEED_ACCEPT,
        )
        rep.update(fetched=1, http_status=res.status)
        if res.not_modified:
            await self.run_db(_store_outcome, self.engine, target.id, res, None)
            rep.update(status="not_modified", not_modified=1)
        elif res.reason is not None or not res.ok:
            await self._fail(target, rep, res, res.reason or f"http_{res.status}")
            return
        else:
            await self.parse_gate.acquire(len(res.body))
            try:
                try:
                    parsed, cands = await self.parse(res.body, target, res)
                except FeedParseError as exc:
                    await self._fail(target, rep, res, exc.reason, exc.detail)
                    return
                res.body = b""
                await self.backlog.acquire()  # parsers wait only while many feeds wait to be stored
            finally:
                self.parse_gate.release()
            try:
                counts = await self.store(target, cands, res)
            finally:
                self.backlog.release()
            rep.update(status="ok", entries=len(cands), format=parsed.format, **counts)
            if parsed.warning:
                rep["warning"] = parsed.warning
        await self.extract_pages(target, rep)

    async def _fail(
        self, target: Target, rep: dict[str, Any], res: FetchResult, reason: str, detail: str = ""
    ) -> None:
        next_at = await self.run_db(_store_outcome, self.engine, target.id, res, reason)
        rep.update(status="failed", failed=1, reason=reason)
        if detail:
            rep["detail"] = detail[:200]
        if next_at is not None:
            rep["next_fetch_at"] = next_at.isoformat()

    async def extract_pages(self, target: Target, rep: dict[str, Any]) -> None:
        if not self.opts.fetch_pages or target.options.get("fetch_pages", True) is False:
            return
        pending = await self.run_db(_pending_pages, self.engine, target.id)
        await asyncio.gather(*(self.extract_one(aid, url, target, rep) for aid, url in pending))

    async def extract_one(self, article_id: int, url: str, target: Target, rep: dict) -> None:
        if self.stopped():
            return  # stays pending: the next run picks it up
        async with self.page_gate:
            if self.stopped():
                return
            delay = target.options.get("delay")
            res = await self.fetcher.fetch(
                url,
                max_bytes=self.opts.max_page_bytes,
                delay_s=float(delay) if delay is not None else None,
                accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            )
        got = None
        reason = res.reason if res.reason or res.ok else f"http_{res.status}"
        if reason is None:
            ctype = res.headers.get("content-type", "")
            got = await asyncio.to_thread(
                extract_page, res.body, url=res.final_url, content_type=ctype
            )
            reason = None if got.ok else got.reason
        await self.run_db(_store_extraction, self.engine, article_id, got, reason)
        crawl_report.count_extraction(rep, reason)

    def close(self) -> None:
        self.db.shutdown(wait=True)
        self.stop_parsers()

    def stop_parsers(self) -> None:
        """Tell the parser processes to exit, without waiting (idempotent).

        Nothing of the run depends on them any more; an interpreter takes about 0.1 s to exit,
        which the crawl need not wait out. The executor's own thread reaps them (and the
        interpreter's exit waits for that), so no process is left behind.
        """
        self.pool_allowed = False
        if self.parsers is not None:
            self.parsers.shutdown(wait=False, cancel_futures=True)
            self.parsers = None


async def _crawl_all(
    engine: Engine, settings: Settings, targets: list[Target], opts: CrawlOptions, stop: Any
) -> list[dict[str, Any]]:
    known = load_robots(engine, [t.url for t in targets]) if opts.obey_robots else {}
    declare_asyncio()
    async with make_client(settings) as client:
        fetcher = Fetcher(
            client,
            host_concurrency=opts.host_concurrency,
            host_delay_s=opts.host_delay_s,
            obey_robots=opts.obey_robots,
            robots_known=known,
        )
        crawl = _Crawl(engine, opts, fetcher, stop)
        crawl.states = load_states(engine, [t.id for t in targets])
        fresh = [t for t in targets if not _has_validators(crawl.states.get(t.id))]
        crawl.start_parsers(len(targets), len(fresh))
        try:
            reports = list(await asyncio.gather(*(crawl.crawl_source(t) for t in targets)))
            crawl.stop_parsers()  # they exit while the rest of this run's articles are indexed
            await crawl.run_db(index_pending_now, engine)
            return reports
        finally:
            crawl.close()
            store_robots(engine, fetcher.robots_fetched)


def declare_asyncio() -> None:
    """Tell sniffio that this context runs asyncio.

    httpcore asks sniffio on every connection-pool lock (6,600 times in a crawl of 100 feeds);
    undeclared, each answer costs an import statement and a task lookup.
    """
    try:
        import sniffio
    except ImportError:
        return
    sniffio.current_async_library_cvar.set("asyncio")


def crawl_sources(
    engine: Engine,
    settings: Settings,
    *,
    slugs: list[str] | None = None,
    stop: threading.Event | None = None,
    options: CrawlOptions | None = None,
) -> dict[str, Any]:
    """Crawl the sources (all active ones, or ``slugs``); store and return the run report."""
    opts = options or CrawlOptions.from_settings(settings)
    targets = _read_targets(engine, settings, slugs)
    started_at = datetime.now(UTC)
    with session_scope(engine) as session:
        run = Run(kind="crawl", status="running", started_at=started_at, report={})
        session.add(run)
        session.flush()
        run_id = int(run.id or 0)
    status = "failed"
    sources: list[dict[str, Any]] = []
    try:
        with background_checkpoints(engine):  # the writer thread never waits for one
            sources = asyncio.run(_crawl_all(engine, settings, targets, opts, stop))
        status = "interrupted" if stop is not None and stop.is_set() else "ok"
    except (KeyboardInterrupt, asyncio.CancelledError):
        status = "interrupted"
        raise
    finally:
        report = crawl_report.build_report(run_id, started_at, sources, status, opts.fetch_pages)
        with session_scope(engine) as session:
            row = session.get(Run, run_id)
            if row is not None:
                row.status = status
                row.finished_at = datetime.fromisoformat(report["finished_at"])
                row.report = report
                session.add(row)
    return report


def list_sources_due(engine: Engine) -> list[str]:
    """Slugs of active sources whose backoff or Retry-After has passed (for schedulers)."""
    now = utcnow()
    with session_scope(engine) as session:
        rows = session.exec(select(Source).where(Source.active == True)).all()  # noqa: E712
        due = []
        for row in rows:
            state = session.get(FetchState, row.id)
            at = state.next_fetch_at if state else None
            if at is None or at.replace(tzinfo=at.tzinfo or UTC) <= now:
                due.append(row.slug)
        return due
