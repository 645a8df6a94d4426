"""Crawl benchmark: the 100 real feeds of fastfeedparser's benchmark served on loopback.

Each feed gets its own loopback address (127.0.0.2 ... 127.0.0.101), so per-host politeness
(2 connections, a minimum delay between requests, robots.txt) is real; every response is
delayed by 100 ms; ETag and Last-Modified are honoured with 304. In one run, side by side:

- baseline: a sequential ``feedparser.parse(url)`` loop over the 100 URLs;
- first crawl: ``crawl_sources`` into an empty SQLite database (feeds only: article pages are
  not fetched, since the benchmark has no pages);
- second crawl: the same again (every feed answers 304).

    .venv/bin/python scripts/bench_crawl.py [FEEDS_DIR] [--delay 0.1] [--host-delay 1.0]
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "feeds" / "real_feeds" / "benchmark_data"


def serve(files: list[str], delay_s: float, ready: Any, stop: Any) -> None:
    """Child process: one HTTPPeer per feed on 127.0.0.(i+2), until ``stop`` is set."""
    import hashlib
    from email.utils import formatdate

    from tests.peers.http import HTTPPeer

    servers = []
    for i, name in enumerate(files):
        body = gzip.decompress(Path(name).read_bytes())
        peer = HTTPPeer(host=f"127.0.0.{i + 2}", delay_s=delay_s)
        peer.route(
            "/feed",
            body=body,
            content_type="application/xml",
            etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            last_modified=formatdate(1_700_000_000 + i, usegmt=True),
        )
        servers.append(peer.start())
    ready.put([s.url("/feed") for s in servers])
    stop.wait()
    own = resource.getrusage(resource.RUSAGE_SELF)
    ready.put(own.ru_utime + own.ru_stime)  # the server's CPU: it shares the 2 cores
    for s in servers:
        s.stop()


def baseline(urls: list[str]) -> tuple[float, int]:
    """Sequential feedparser.parse(url), feedparser as shipped: seconds and entries."""
    import feedparser

    from bot.pipeline import feed_speed

    with feed_speed.disabled():  # the baseline never gets our speed-ups
        started = time.perf_counter()
        entries = sum(len(feedparser.parse(url).entries) for url in urls)
        return time.perf_counter() - started, entries


def crawl_twice(urls: list[str], host_delay: float) -> list[dict[str, Any]]:
    """Two crawls into a fresh SQLite database; their reports."""
    from bot.config import Settings
    from bot.pipeline.crawl import CrawlOptions, crawl_sources
    from bot.store.db import open_engine
    from tests.peers.http import write_sources

    tmp = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    sources = write_sources(tmp / "sources.yaml", {f"feed{i:03d}": u for i, u in enumerate(urls)})
    settings = Settings(
        home=tmp, database_url=f"sqlite:///{tmp / 'bench.db'}", sources_path=sources,
        allow_private_networks=True,
    )  # fmt: skip
    engine = open_engine(settings.database_url)
    opts = CrawlOptions(host_delay_s=host_delay, fetch_pages=False)
    reports = []
    for _ in range(2):
        before, running = cpu_seconds(), set(multiprocessing.active_children())
        report = crawl_sources(engine, settings, options=opts)
        for child in set(multiprocessing.active_children()) - running:
            child.join()  # the parser processes exit after the crawl: count all their CPU
        report["cpu_s"] = cpu_seconds() - before
        reports.append(report)
    return reports


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (the parser processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    """Serve, run the baseline and the two crawls, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feeds_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--delay", type=float, default=0.1, help="added to every response (s)")
    parser.add_argument("--host-delay", type=float, default=1.0, help="per-host gap (s)")
    args = parser.parse_args()
    files = sorted(str(p) for p in args.feeds_dir.glob("*.gz"))
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(files, args.delay, ready, stop), daemon=True)
    server.start()
    try:
        urls = ready.get(timeout=120)
        print(
            f"{len(urls)} feeds on 127.0.0.2-127.0.0.{len(urls) + 1}, +{args.delay * 1000:.0f} ms per response"
        )
        load = os.getloadavg()
        print(
            f"load average before the runs: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs"
        )
        before = cpu_seconds()
        base_s, base_entries = baseline(urls)
        base_cpu = cpu_seconds() - before
        first, second = crawl_twice(urls, args.host_delay)
    finally:
        stop.set()
        try:
            server_cpu = float(ready.get(timeout=15))
        except Exception:  # noqa: BLE001 - the figure is informative only
            server_cpu = float("nan")
        server.join(timeout=10)
    t1, t2 = first["totals"], second["totals"]
    print(
        f"politeness: 2 connections per host, {args.host_delay:g} s between requests to a host, robots.txt checked"
    )
    print("feeds only: article pages are NOT fetched in this benchmark (fetch_pages=False)")
    print(f"{'run':<34} {'seconds':>8} {'speed-up':>9} {'cpu s':>6}  details")
    print(
        f"{'baseline: sequential feedparser.parse(url)':<34} {base_s:8.2f} {1:9.1f}x "
        f"{base_cpu:6.1f}  entries={base_entries}"
    )
    print(
        f"{'first crawl (empty database)':<34} {first['duration_s']:8.2f} "
        f"{base_s / first['duration_s']:9.1f}x {first['cpu_s']:6.1f}  fetched={t1['fetched']} new={t1['new']} failed={t1['failed']}"
        f"{t1['failed_by_reason'] or ''}"
    )
    print(
        f"{'second crawl (all 304)':<34} {second['duration_s']:8.2f} "
        f"{base_s / second['duration_s']:9.1f}x {second['cpu_s']:6.1f}  not_modified={t2['not_modified']} new={t2['new']}"
    )
    print(f"test server process (serves all three runs, same machine): {server_cpu:.1f} CPU-s")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak memory (ru_maxrss): crawler process {own:.0f} MB; largest child {kids:.0f} MB (server or parser)"
    )
    ok = base_s / first["duration_s"] >= 8 and second["duration_s"] < 2 and own < 300
    print(
        f"targets (first >= 8x baseline, second < 2 s, peak < 300 MB): {'met' if ok else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
