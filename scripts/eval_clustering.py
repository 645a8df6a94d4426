"""Replay a labelled JSON-lines stream through the crawler's code path and score the stories.

    python scripts/eval_clustering.py ../shared/data/clustering/giveme5w1h/articles.jsonl

Records need ``url``, ``title``, ``text``, a date (``date_publish`` or ``published``) and a gold
event (``event_id``, or ``event`` where null means "its own story"). They are imported with
:func:`bot.pipeline.importer.import_articles` one publication day at a time, oldest first, and
:func:`bot.pipeline.cluster.cluster_pending` runs after each day, as the main job does after each
crawl. Undated records come last, first seen at the replay clock (the newest dated record), as a
crawler would see them. Prints BCubed precision, recall and F1, ARI and AMI.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"
DEFAULT = SHARED / "clustering" / "giveme5w1h" / "articles.jsonl"


def bcubed(pred: list, gold: list) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a clustering against gold labels."""
    by_pred: dict = defaultdict(set)
    by_gold: dict = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    prec = rec = 0.0
    for i in range(len(pred)):
        inter = len(by_pred[pred[i]] & by_gold[gold[i]])
        prec += inter / len(by_pred[pred[i]])
        rec += inter / len(by_gold[gold[i]])
    prec, rec = prec / len(pred), rec / len(pred)
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


LABELS = ("gold", "category")  # kept aside, never imported
SAME_TOPIC_DAYS = 7


def same_topic_merges(records: list[dict], pred: list, days: float = SAME_TOPIC_DAYS) -> tuple:
    """Pairs of different gold events of one category less than ``days`` apart, and how many of
    those pairs share a predicted story (two events on one topic must stay two stories)."""
    from datetime import datetime

    events: dict = defaultdict(lambda: {"times": [], "stories": set(), "category": None})
    for rec, story in zip(records, pred, strict=True):
        if not rec.get("category") or not rec["published"]:
            continue
        ev = events[rec["gold"]]
        ev["times"].append(datetime.fromisoformat(rec["published"][:10]).timestamp() / 86400)
        ev["stories"].add(story)
        ev["category"] = rec["category"]
    names = sorted(events)
    pairs, merged = 0, []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ea, eb = events[a], events[b]
            if ea["category"] != eb["category"]:
                continue
            gap = min(abs(x - y) for x in ea["times"] for y in eb["times"])
            if gap < days:
                pairs += 1
                if ea["stories"] & eb["stories"]:
                    merged.append((a, b))
    return pairs, merged


def _date(value: object) -> str | None:
    text = str(value or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return text + "-01"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        return text
    return None  # missing, or a bare year: undated


def load_records(path: Path) -> list[dict]:
    """Records normalised for `briefing import`, with gold labels kept aside."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        r = json.loads(line)
        rid = str(r.get("id") or f"line-{n}")
        gold = r.get("event_id", r.get("event"))
        out.append(
            {
                "id": rid,
                "url": r["url"],
                "title": r.get("title") or "",
                "text": r.get("text") or "",
                "published": _date(r.get("date_publish") or r.get("published")),
                "source": r.get("source_domain") or r.get("source") or None,
                "gold": str(gold) if gold is not None else f"single:{rid}",
                "category": r.get("category") or r.get("topic_guess"),
            }
        )
    return out


class CachedEmbedder:
    """The configured embedder with its vectors kept in an ``.npz`` file between runs (sweeps)."""

    def __init__(self, inner, path: Path) -> None:  # type: ignore[no-untyped-def]
        import numpy as np

        self.inner, self.path, self.model_id = inner, path, inner.model_id
        self.cache: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.cache = {k: data[k] for k in data.files}
        self.dim = next(iter(self.cache.values())).shape[0] if self.cache else inner.dim

    def encode(self, texts: list[str]):  # type: ignore[no-untyped-def]
        """Vectors for ``texts``, encoding only those not cached yet."""
        import numpy as np

        from bot.pipeline.embed import hash_input

        keys = [f"{self.model_id}:{hash_input(t)}" for t in texts]
        todo = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self.cache}.items()
        )
        if todo:
            for (k, _), v in zip(todo, self.inner.encode([t for _, t in todo]), strict=True):
                self.cache[k] = v
            np.savez(self.path, **self.cache)
            self.dim = self.inner.dim
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[k] for k in keys]).astype(np.float32)


def replay(
    records: list[dict],
    db_url: str,
    overrides: dict | None = None,
    embed_cache: Path | None = None,
) -> dict[str, int | None]:
    """Import day by day and cluster after each day; returns external id -> story id."""
    from sqlalchemy import select, update

    from bot.config import Settings
    from bot.pipeline.cluster import ClusterConfig, cluster_pending
    from bot.pipeline.embed import load_embedder
    from bot.pipeline.importer import import_articles
    from bot.store.db import open_engine, session_scope
    from bot.store.models import Article

    os.environ["BRIEFING_DATABASE_URL"] = db_url
    settings = Settings.from_env()
    cfg = ClusterConfig.from_settings(settings)
    if overrides:
        cfg = dataclasses.replace(cfg, **overrides)
    embedder = load_embedder(settings.embedding_model)
    if embed_cache is not None:
        embedder = CachedEmbedder(embedder, embed_cache)
    engine = open_engine(db_url)
    days: dict[str, list[dict]] = defaultdict(list)
    undated = []
    for r in records:
        (days[r["published"][:10]] if r["published"] else undated).append(r)
    strip = [{k: v for k, v in r.items() if k not in LABELS} for r in records]
    by_id = {r["id"]: r for r in strip}
    clock = None
    for day in sorted(days):
        import_articles(engine, [by_id[r["id"]] for r in days[day]])
        cluster_pending(engine, settings, embedder=embedder, config=cfg)
        clock = day
    if undated:
        import_articles(engine, [by_id[r["id"]] for r in undated])
        if clock is not None:
            from datetime import UTC, datetime

            seen = datetime.fromisoformat(clock).replace(tzinfo=UTC)
            with session_scope(engine) as s:
                s.execute(
                    update(Article).where(Article.published_at.is_(None)).values(first_seen_at=seen)
                )
        cluster_pending(engine, settings, embedder=embedder, config=cfg)
    with session_scope(engine) as s:
        rows = s.execute(select(Article.external_id, Article.story_id)).all()
    engine.dispose()
    return dict(rows)


def error_lines(records: list[dict], pred: list) -> list[str]:
    """Wrongly split and merged gold events, each piece with its size, dates and first headline."""
    by_gold: dict = defaultdict(lambda: defaultdict(list))
    by_pred: dict = defaultdict(lambda: defaultdict(list))
    for rec, pr in zip(records, pred, strict=True):
        by_gold[rec["gold"]][pr].append(rec)
        by_pred[pr][rec["gold"]].append(rec)

    def piece(recs: list[dict]) -> str:
        recs = sorted(recs, key=lambda r: r["published"] or "~")
        span = f"{(recs[0]['published'] or 'undated')[:10]}..{(recs[-1]['published'] or 'undated')[:10]}"
        return f"n={len(recs)} {span} | {recs[0]['title'][:70]}"

    out = []
    for g, parts in sorted(by_gold.items()):
        if len(parts) > 1:
            out.append(f"split  {g}: {len(parts)} stories")
            for pr, recs in sorted(parts.items(), key=lambda kv: -len(kv[1])):
                others = sum(len(v) for k, v in by_pred[pr].items() if k != g)
                out.append(f"    {pr} (+{others} of other events) {piece(recs)}")
    for pr, golds in sorted(by_pred.items()):
        if len(golds) > 1:
            out.append(f"merged {pr}: {sorted(golds)}")
            for g, recs in sorted(golds.items(), key=lambda kv: -len(kv[1])):
                out.append(f"    {g} {piece(recs)}")
    return out


def _value(raw: str) -> int | float | str:
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)  # integer fields (n_keywords, batch_size) stay integers
    try:
        return float(raw)
    except ValueError:
        return raw


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    ap.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="override a ClusterConfig field for a sweep (the default is the shipped config)",
    )  # fmt: skip
    ap.add_argument("--errors", action="store_true", help="list wrongly split/merged events")
    ap.add_argument(
        "--embed-cache", type=Path, metavar="FILE.npz",
        help="keep embeddings in this file between runs (for sweeps; same vectors as without)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    records = load_records(args.file)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("BRIEFING_HOME", tmp)
        overrides = {k: _value(v) for k, v in (item.split("=", 1) for item in args.set)}
        story = replay(records, args.db or f"sqlite:///{tmp}/eval.db", overrides, args.embed_cache)
    took = time.perf_counter() - t0
    pred = [f"story:{story.get(r['id'])}" for r in records]
    gold = [r["gold"] for r in records]
    p, r, f = bcubed(pred, gold)
    print(f"file: {args.file}" + (f"  overrides: {args.set}" if args.set else ""))
    print(f"articles: {len(records)}  gold events: {len(set(gold))}  stories: {len(set(pred))}")
    print(f"BCubed precision: {p:.4f}")
    print(f"BCubed recall:    {r:.4f}")
    print(f"BCubed F1:        {f:.4f}")
    print(f"ARI:              {adjusted_rand_score(gold, pred):.4f}")
    print(f"AMI:              {adjusted_mutual_info_score(gold, pred):.4f}")
    pairs, merged = same_topic_merges(records, pred)
    if pairs:
        print(
            f"same-topic:       {len(merged)}/{pairs} pairs of different events of one category "
            f"< {SAME_TOPIC_DAYS} days apart share a story ({len(merged) / pairs:.1%})"
        )
    print(f"replay time:      {took:.1f}s (import + embed + cluster, day by day)")
    if args.errors:
        print("\n".join(error_lines(records, pred)))
        for a, b in merged:
            print(f"same-topic merge: {a} + {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
