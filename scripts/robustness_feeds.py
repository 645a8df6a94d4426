"""Robustness: every file of ../shared/data/feeds through the ingest path, counting entries.

Each file goes through what a crawl does with a fetched body: parse (feedparser, or our JSON
Feed parser) -> normalise -> identity (canonical URL, content hash) -> upsert into a temporary
SQLite database, with one source per file. ``.gz`` files are decompressed first. Printed per
corpus: files, files read as feeds, files rejected with a reason (not an error: e.g. the
expected-output JSON files that sit beside feed_rs's feeds), unhandled exceptions (must be
0), and entries we kept versus feedparser's own count (``feedparser.parse(body)``, defaults, as
shipped). ``sped-up differs`` counts files whose parse changes with the speed-ups of
:mod:`bot.pipeline.feed_speed` (entries and feed metadata compared) or whose normalised parse
changes on the tree replay of :mod:`bot.pipeline.feed_tree` (must be 0); ``tree road`` counts
the files that replay answered (feedparser read the others).

    .venv/bin/python scripts/robustness_feeds.py [DATA_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.pipeline import feed_speed  # noqa: E402
from bot.pipeline.crawl import Target, store_feed  # noqa: E402
from bot.pipeline.feed_tree import parse_tree  # noqa: E402
from bot.pipeline.feeds import FeedParseError, parse_feed  # noqa: E402
from bot.pipeline.fetch import FetchResult  # noqa: E402
from bot.pipeline.parse_worker import feed_candidates  # noqa: E402
from bot.store.db import open_engine, session_scope  # noqa: E402
from bot.store.models import Source  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "feeds"
SKIP_NAMES = {"LICENSE", "README", "README.md", "index.tsv"}


def feedparser_count(body: bytes) -> int:
    """Entries feedparser itself finds (JSON Feed: items, since feedparser cannot read it)."""
    if body.lstrip()[:1] == b"{":
        try:
            items = json.loads(body).get("items")
            return len(items) if isinstance(items, list) else 0
        except (ValueError, AttributeError):
            return 0
    with feed_speed.disabled():
        return len(feedparser.parse(body).entries)


def speedups_change_parse(body: bytes, url: str) -> bool:
    """Whether the speed-ups change feedparser's result or parse_feed's for this body.

    feedparser's own result is compared whole (the feed_speed patches); parse_feed's result with
    the tree replay (bot.pipeline.feed_tree) against feedparser's road, with and without a URL.
    """
    kwargs = {"sanitize_html": False, "resolve_relative_uris": False}
    fast = feedparser.parse(body, **kwargs)
    fast_feeds = [_parse_or_reason(body, u) for u in (url, "")]
    with feed_speed.disabled():
        stock = feedparser.parse(body, **kwargs)
        stock_feeds = [_parse_or_reason(body, u) for u in (url, "")]
    return bool(
        fast.entries != stock.entries or fast.feed != stock.feed or fast_feeds != stock_feeds
    )


def _parse_or_reason(body: bytes, url: str) -> object:
    try:
        return parse_feed(body, url=url)
    except FeedParseError as exc:
        return exc.reason


def main() -> int:
    """Run every file and print the per-corpus table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="robustness-"))
    engine = open_engine(f"sqlite:///{tmp / 'robust.db'}")
    stats: dict[str, Counter[str]] = {}
    reasons: dict[str, Counter[str]] = {}
    crashes: list[str] = []
    started = time.perf_counter()
    files = sorted(p for p in args.data_dir.rglob("*") if p.is_file() and p.name not in SKIP_NAMES)
    for number, path in enumerate(files, start=1):
        corpus = path.relative_to(args.data_dir).parts[0]
        st = stats.setdefault(corpus, Counter())
        st["files"] += 1
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        st["feedparser_entries"] += feedparser_count(body)
        url = f"http://feeds.example.org/{path.relative_to(args.data_dir)}"
        st["speedup_differs"] += speedups_change_parse(body, url)
        st["tree_road"] += parse_tree(body, {"content-location": url}) is not None
        try:
            with session_scope(engine) as session:
                source = Source(slug=f"f{number}", name=path.name, url=f"http://127.0.0.1/{number}")
                session.add(source)
                session.flush()
                source_id = int(source.id or 0)
            try:
                parsed = parse_feed(body, url=url)
            except FeedParseError as exc:
                st["rejected"] += 1
                reasons.setdefault(corpus, Counter())[exc.reason] += 1
                continue
            st["dropped_empty"] += parsed.dropped
            cands = feed_candidates(parsed)
            target = Target(source_id, f"f{number}", url, "auto", {})
            counts = store_feed(engine, target, cands, FetchResult(url=url, status=200), False)
            st["read"] += 1
            st["entries_kept"] += sum(counts.values())
            st["new_rows"] += counts["new"]
        except Exception:  # noqa: BLE001 - this is what the script counts
            st["unhandled"] += 1
            crashes.append(f"{path}: {traceback.format_exc(limit=3)}")
    print(f"{len(files)} files from {args.data_dir} in {time.perf_counter() - started:.1f}s")
    head = f"{'corpus':<16} {'files':>6} {'read':>6} {'rejected':>8} {'unhandled':>9} {'feedparser':>10} {'kept':>6} {'empty':>6} {'rows':>6} {'sped-up differs':>15} {'tree road':>9}"
    print(head)
    total: Counter[str] = Counter()
    for corpus, st in sorted(stats.items()):
        total.update(st)
        print(
            f"{corpus:<16} {st['files']:6} {st['read']:6} {st['rejected']:8} {st['unhandled']:9} "
            f"{st['feedparser_entries']:10} {st['entries_kept']:6} {st['dropped_empty']:6} {st['new_rows']:6} {st['speedup_differs']:15} {st['tree_road']:9}"
        )
    print(
        f"{'total':<16} {total['files']:6} {total['read']:6} {total['rejected']:8} "
        f"{total['unhandled']:9} {total['feedparser_entries']:10} {total['entries_kept']:6} "
        f"{total['dropped_empty']:6} {total['new_rows']:6} {total['speedup_differs']:15} {total['tree_road']:9}"
    )
    print("kept = entries through parse -> identity -> upsert; rows = distinct articles stored;")
    print(
        "empty = entries feedparser returns with no title, link, id, summary or content (not kept);"
    )
    print("feedparser's count includes entries of files we reject (feedparser reads anything).")
    print("(identity merges entries that share a canonical URL or content, e.g. test feeds all")
    print(" linking http://example.com/). Rejected reasons:")
    for corpus, counter in sorted(reasons.items()):
        print(f"  {corpus}: {dict(counter)}")
    for crash in crashes[:10]:
        print("UNHANDLED", crash)
    return 1 if crashes or total["speedup_differs"] else 0


if __name__ == "__main__":
    sys.exit(main())
