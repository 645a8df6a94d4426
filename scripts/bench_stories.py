"""Speed of the stories stage, printed beside a baseline measured in the same run.

    python scripts/bench_stories.py [--data ../shared/data/clustering/giveme5w1h/articles.jsonl]

1. Embedding throughput (real all-MiniLM-L6-v2) on the input the pipeline uses (headline + lead,
   128 tokens) beside the same texts at 256 tokens.
2. Clustering one 72 h window of 3,000 articles through cluster_pending (600 events plus noise,
   synthetic 384-d vectors stored as embeddings), beside sklearn's HDBSCAN on the same vectors.
3. 500 new articles clustered into a 10k-article archive and into a 200k-article archive: the
   ratio shows whether the work grows with the archive. The pipeline reads older stories from
   the file copy of their centroids (bot/pipeline/story_index.py); the baseline, in the same run,
   reads them from the database every time (ClusterConfig(old_story_index=False)).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "clustering" / "giveme5w1h" / "articles.jsonl"
DIM = 384
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WORDS = [f"Name{i}" for i in range(5000)]


class StoredEmbedder:
    """Vectors are pre-stored by the benchmark; encode() is never reached for them."""

    model_id = "bench-384"
    dim = DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError("benchmark vectors should all be stored already")


def bench_embedding(path: Path, n: int) -> None:
    from bot.pipeline.embed import SentenceTransformerEmbedder, embed_input

    if path.exists():
        recs = [json.loads(line) for line in path.read_text().splitlines()[:n]]
        texts = [embed_input(r.get("title"), r.get("text")) for r in recs]
        what = f"{len(texts)} real articles from {path.name}"
    else:
        texts = [embed_input(f"Headline {i}", "Some article body text. " * 80) for i in range(n)]
        what = f"{n} synthetic articles"
    print(f"[1] embedding throughput, {what}, input: headline + lead (<= 1000 chars)")
    for seq in (128, 256):
        emb = SentenceTransformerEmbedder(None, max_seq_length=seq)
        emb.encode(texts[:8])  # load and warm up
        t0 = time.perf_counter()
        emb.encode(texts)
        took = time.perf_counter() - t0
        tag = "pipeline" if seq == 128 else "baseline"
        print(f"    {tag:8s} max_seq_length={seq}: {len(texts) / took:7.1f} articles/s")


def fill(engine, n: int, *, start_id: int, span_days: float, end: datetime, events: int,
         clustered: bool, rng: np.random.Generator) -> None:  # fmt: skip
    """Bulk-insert n articles (+ embeddings, + one story per event when clustered).

    Like real news, an event happens at one moment and its articles follow within days
    (exponential, mean 1 day), so a longer history means more closed stories, not longer ones.
    """
    from bot.pipeline.embed import (
        embed_input,
        hash_input,
        headline_input,
        headline_model,
        vector_to_bytes,
    )
    from bot.store.models import Article, Embedding, Story

    centers = rng.standard_normal((events, DIM)).astype(np.float32)
    ev = rng.integers(0, events, n)
    vecs = centers[ev] + 0.9 * rng.standard_normal((n, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    # headline vectors (bot.pipeline.cluster), stored as the stories stage leaves them
    heads = centers[ev] + 1.2 * rng.standard_normal((n, DIM)).astype(np.float32)
    heads /= np.linalg.norm(heads, axis=1, keepdims=True)
    event_age = rng.uniform(0, span_days, events)  # days before `end`
    age = np.maximum(event_age[ev] - rng.exponential(1.0, n), 0.0)
    times = [end - timedelta(days=float(x)) for x in age]
    arts, embs = [], []
    story_base = start_id
    for k in range(n):
        aid = start_id + k
        title = f"{WORDS[(ev[k] * 7) % 5000]} {WORDS[(ev[k] * 13) % 5000]} update {aid}"
        text = f"Report {aid} about {title} and {WORDS[ev[k] % 5000]}."
        arts.append({
            "id": aid, "url": f"https://o{aid % 97}.test/{aid}", "canonical_url": f"https://o{aid % 97}.test/{aid}",
            "content_hash": f"h{aid}", "title": title, "summary": "", "text": text,
            "text_source": "feed", "extraction_status": "skipped", "published_at": times[k],
            "first_seen_at": times[k], "story_id": (story_base + int(ev[k])) if clustered else None,
        })  # fmt: skip
        embs.append({"article_id": aid, "model": StoredEmbedder.model_id, "dim": DIM,
                     "text_hash": hash_input(embed_input(title, text, arts[-1]["url"])), "vector": vector_to_bytes(vecs[k])})  # fmt: skip
        embs.append({"article_id": aid, "model": headline_model(StoredEmbedder.model_id), "dim": DIM,
                     "text_hash": hash_input(headline_input(title, arts[-1]["url"])), "vector": vector_to_bytes(heads[k])})  # fmt: skip
    with engine.begin() as conn:
        if clustered:
            rows = []
            order = np.argsort(ev, kind="stable")  # articles grouped by event, in one pass
            bounds = np.searchsorted(ev[order], np.arange(events + 1))
            for e in range(events):
                members = order[bounds[e] : bounds[e + 1]]
                if not len(members):
                    continue
                ts = [times[k] for k in members]
                rows.append({"id": story_base + e, "title": f"story {e}", "keywords": [],
                             "first_seen_at": min(ts), "last_seen_at": max(ts), "n_articles": len(members),
                             "n_outlets": 1, "centroid": vector_to_bytes(vecs[members].mean(0)),
                             "headline_centroid": vector_to_bytes(heads[members].mean(0)),
                             "model": StoredEmbedder.model_id, "topics": [], "evidence": []})  # fmt: skip
            conn.execute(Story.__table__.insert(), rows)
        for i in range(0, n, 5000):
            conn.execute(Article.__table__.insert(), arts[i : i + 5000])
        for i in range(0, len(embs), 5000):
            conn.execute(Embedding.__table__.insert(), embs[i : i + 5000])


def bench_window(tmp: str) -> None:
    from sklearn.cluster import HDBSCAN

    from bot.config import Settings
    from bot.pipeline.cluster import cluster_pending
    from bot.store.db import open_engine

    url = f"sqlite:///{tmp}/window.db"
    engine = open_engine(url)
    rng = np.random.default_rng(1)
    fill(engine, 3000, start_id=1, span_days=3, end=NOW, events=600, clustered=False, rng=rng)
    t0 = time.perf_counter()
    env = {"BRIEFING_DATABASE_URL": url, "BRIEFING_HOME": tmp}
    report = cluster_pending(engine, Settings.from_env(env), embedder=StoredEmbedder())
    took = time.perf_counter() - t0
    print("[2] clustering a 72 h window of 3,000 articles (600 events + noise)")
    print(f"    pipeline cluster_pending: {took:6.2f} s  ({report['totals']['new_stories']} stories, "
          f"target < 10 s)")  # fmt: skip
    vecs = np.stack([np.frombuffer(v, dtype="<f4") for (v,) in engine.connect().exec_driver_sql(
        "SELECT vector FROM embeddings WHERE model = ? ORDER BY article_id", (StoredEmbedder.model_id,))])  # fmt: skip
    t0 = time.perf_counter()
    HDBSCAN(min_cluster_size=2).fit(vecs)
    print(
        f"    baseline sklearn HDBSCAN on the same vectors (no I/O): {time.perf_counter() - t0:6.2f} s"
    )
    engine.dispose()


def bench_archive(tmp: str, sizes: list[int], repeats: int = 3) -> None:
    import shutil
    import statistics

    from bot.archive.vectors import index_dir
    from bot.config import Settings
    from bot.pipeline.cluster import ClusterConfig, cluster_pending
    from bot.pipeline.story_index import StoryIndex
    from bot.store.db import open_engine, session_scope

    horizon = ClusterConfig().horizon_s / 86400
    print(f"[3] 500 new articles against a growing archive (274 articles/day, {horizon:.0f}-day "
          f"horizon; median of {repeats} runs, each on a fresh copy of the archive)")  # fmt: skip
    took: dict[tuple[str, int], float] = {}
    for size in sizes:
        base = f"{tmp}/archive{size}.db"
        engine = open_engine(f"sqlite:///{base}")
        t0 = time.perf_counter()
        # A growing archive is a longer history at the same daily volume (274 articles a day).
        fill(engine, size, start_id=1, span_days=size / 274, end=NOW - timedelta(days=1),
             events=size // 5, clustered=True, rng=np.random.default_rng(size))  # fmt: skip
        engine.dispose()
        build = time.perf_counter() - t0
        work = f"{tmp}/work{size}.db"
        url = f"sqlite:///{work}"
        env = {"BRIEFING_DATABASE_URL": url, "BRIEFING_HOME": tmp}
        # An archive in use has its older stories' centroids copied by earlier runs: make that
        # copy once (timed apart); every repeat then starts from the archive and the copy.
        t1 = time.perf_counter()
        shutil.copy(base, work)
        engine = open_engine(url)
        index_path = index_dir(Path(tmp), url, StoredEmbedder.model_id + "#stories")
        with session_scope(engine) as session:
            StoryIndex(index_path).sync(session, StoredEmbedder.model_id, DIM,
                                        NOW - timedelta(days=30), NOW - timedelta(days=horizon))  # fmt: skip
        engine.dispose()
        saved = f"{tmp}/index-base{size}"
        shutil.copytree(index_path, saved)
        index_build = time.perf_counter() - t1
        for mode in ("index", "scan"):
            walls, cpus = [], []
            cfg = ClusterConfig(old_story_index=mode == "index")
            for _ in range(repeats):
                shutil.copy(base, work)
                shutil.rmtree(index_path, ignore_errors=True)
                shutil.copytree(saved, index_path)
                engine = open_engine(url)
                fill(engine, 500, start_id=size + 10_000_000, span_days=1, end=NOW, events=150,
                     clustered=False, rng=np.random.default_rng(7))  # fmt: skip
                t0, c0 = time.perf_counter(), time.process_time()
                report = cluster_pending(
                    engine, Settings.from_env(env), embedder=StoredEmbedder(), config=cfg
                )
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
                engine.dispose()
            took[(mode, size)] = statistics.median(walls)
            label = "pipeline (centroid copy)" if mode == "index" else "baseline (database scan)"
            print(f"    {label:25s} archive {size:>7,}: 500 new in {took[(mode, size)]:5.2f} s wall, "
                  f"{statistics.median(cpus):5.2f} s CPU (attached {report['totals']['attached']}, "
                  f"new stories {report['totals']['new_stories']})")  # fmt: skip
        print(f"    archive {size:,} built in {build:.1f} s, the copy of its older stories in "
              f"{index_build:.1f} s")  # fmt: skip
    for mode, label in (("index", "pipeline"), ("scan", "baseline")):
        lo, hi = took[(mode, sizes[0])], took[(mode, sizes[-1])]
        print(f"    ratio {sizes[-1]:,} / {sizes[0]:,}, {label}: {hi / lo:.2f} (target <= 1.5)")


def main() -> int:
    """Run the three benchmarks."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--n-embed", type=int, default=200)
    ap.add_argument("--sizes", default="10000,200000")
    ap.add_argument("--skip-embedding", action="store_true")
    ap.add_argument("--skip-window", action="store_true")
    ap.add_argument("--skip-archive", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_embedding:
            bench_embedding(args.data, args.n_embed)
        if not args.skip_window:
            bench_window(tmp)
        if not args.skip_archive:
            bench_archive(tmp, [int(x) for x in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
