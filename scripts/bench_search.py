"""Archive search at scale: a synthetic archive of 90 days x 5,000 articles, then query latency.

Builds an SQLite archive (Core bulk inserts; the FTS5 index is filled by the migration's
triggers) with realistic-looking text drawn from a vocabulary, article signals (topic, label),
50 sources, and 384-dim embeddings with cluster structure (unit vectors around 300 centroids;
articles of a cluster also share words, so keyword and semantic hits overlap as in real news).
Then it times keyword, semantic and hybrid queries WITH filters through ``bot.archive.search``,
with the real MiniLM query encoder when it is installed (``--no-model`` uses cheap vectors), and
prints p50/p95 next to the baseline of exact numpy brute force, plus build time and sizes.

    .venv/bin/python scripts/bench_search.py                 # 450,000 articles
    .venv/bin/python scripts/bench_search.py --articles 50000 --queries 50
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot.archive.filters import SearchFilters  # noqa: E402
from bot.archive.search import search  # noqa: E402
from bot.archive.vectors import VectorIndex  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.store.db import open_engine  # noqa: E402
from bot.store.models import Article, ArticleSignal, Embedding, Source  # noqa: E402

DIM = 384
TOPICS = ["models", "agents", "investment", "chips", "regulation", "safety", "workforce"]
LABELS = ["deployment", "hype", "neither"]
DOMAIN = (  # noqa: SIM905
    "gpu supply chips nvidia tsmc packaging datacenter inference training model release open "
    "weights benchmark agent copilot workflow adoption funding round valuation investors regulation "
    "act enforcement fine compliance safety hallucination prompt injection jobs layoffs hiring "
    "skills capacity energy power cluster accelerator memory bandwidth pricing api enterprise "
    "customers production pilot preview launch waitlist forecast market billion million revenue"
).split()
QUERIES = [
    "gpu supply", "open weights model release", "agent adoption in production", "funding round valuation",
    "regulation enforcement fine", "prompt injection safety", "layoffs attributed to ai",
    "datacenter energy capacity", "inference pricing api", "enterprise customers pilot",
]  # fmt: skip


def make_vocabulary(rng: random.Random, n: int = 6000) -> list[str]:
    """Pronounceable fake words plus the domain words (the keyword side's haystack)."""
    cons, vows = "bcdfghklmnprstvz", "aeiou"
    words = set(DOMAIN)
    while len(words) < n:
        words.add("".join(rng.choice(cons) + rng.choice(vows) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def make_centroids(seed: int = 7, n_clusters: int = 300) -> np.ndarray:
    """Unit-vector topic centroids (deterministic for ``seed``)."""
    centroids = (
        np.random.default_rng(seed + 1).standard_normal((n_clusters, DIM)).astype(np.float32)
    )
    return centroids / np.linalg.norm(centroids, axis=1, keepdims=True)


def build_archive(url: str, n: int, days: int, seed: int = 7) -> tuple[float, np.ndarray]:
    """Fill the database; returns (seconds, cluster centroids)."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    vocab = make_vocabulary(rng)
    weights = [1.0 / (i + 1) for i in range(len(vocab))]  # Zipf-like word frequencies
    centroids = make_centroids(seed)
    n_clusters = len(centroids)
    nrng.standard_normal((n_clusters, DIM))  # keep the random stream as before
    cluster_words = [rng.sample(DOMAIN, 4) + rng.sample(vocab, 6) for _ in range(n_clusters)]
    engine = open_engine(url)
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Source),
            [
                {
                    "id": i + 1,
                    "slug": f"source-{i + 1}",
                    "name": f"Source {i + 1}",
                    "url": f"https://example.org/{i + 1}.xml",
                    "kind": "rss",
                    "weight": 1.0,
                    "tags": [],
                    "options": {},
                    "active": True,
                }  # fmt: skip
                for i in range(50)
            ],
        )
    batch = 5000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        clusters = nrng.integers(0, n_clusters, size)
        vecs = centroids[clusters] + 1.5 * nrng.standard_normal((size, DIM)).astype(
            np.float32
        ) / np.sqrt(DIM)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        arts, sigs, embs = [], [], []
        body_words = rng.choices(vocab, weights=weights, k=size * 70)
        for j in range(size):
            aid = start + j + 1
            c = int(clusters[j])
            own = rng.choices(cluster_words[c], k=8)
            words = body_words[j * 70 : (j + 1) * 70] + own
            rng.shuffle(words)
            title = " ".join(own[:4] + words[:6]).capitalize()
            text = " ".join(words)
            published = now - timedelta(seconds=(aid * days * 86400) // n)
            h = hashlib.sha1(text.encode()).hexdigest()
            arts.append({
                "id": aid, "source_id": 1 + aid % 50, "url": f"https://example.org/a/{aid}",
                "canonical_url": f"https://example.org/a/{aid}", "content_hash": h, "title": title,
                "summary": "", "text": text, "text_source": "feed", "published_at": published,
                "first_seen_at": published, "extraction_status": "ok",
            })  # fmt: skip
            topic = TOPICS[c % len(TOPICS)]
            sigs.append({
                "article_id": aid, "relevant": True, "topics": [topic], "primary_topic": topic,
                "label": LABELS[(c + aid) % 3], "confidence": 0.7, "evidence": [],
                "text_hash": h, "classifier_version": "bench",
            })  # fmt: skip
            embs.append({
                "article_id": aid, "model": "bench-synthetic", "text_hash": h, "dim": DIM,
                "vector": vecs[j].astype("<f4").tobytes(), "created_at": published,
            })  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(Article), arts)
            conn.execute(insert(ArticleSignal), sigs)
            conn.execute(insert(Embedding), embs)
        if (start // batch) % 10 == 0:
            print(
                f"  built {start + size:,} articles ({time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
            )
    engine.dispose()
    return time.perf_counter() - t0, centroids


class BenchEmbedder:
    """The real query encoder's cost (MiniLM) with vectors in the synthetic space."""

    def __init__(self, centroids: np.ndarray, use_model: bool) -> None:
        self.model_id = "bench-synthetic"
        self.dim = DIM
        self.centroids = centroids
        self.model = None
        if use_model:
            from bot.pipeline.embed import load_embedder

            self.model = load_embedder(None)
            self.model.encode(["warm up"])

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.model is not None:
            self.model.encode(texts)  # paid for real; its vector lives in another space
        idx = [int(hashlib.md5(t.encode()).hexdigest(), 16) % len(self.centroids) for t in texts]
        return self.centroids[idx]


def pct(values: list[float], p: float) -> float:
    """The p-th percentile in milliseconds."""
    return float(np.percentile(np.asarray(values) * 1000, p))


def time_queries(
    engine, settings, embedder, mode: str, filters: list[SearchFilters]
) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for i, flt in enumerate(filters):
        q = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        search(engine, settings, q, filters=flt, limit=10, mode=mode, embedder=embedder)
        times.append(time.perf_counter() - t)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=450_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--queries", type=int, default=100, help="queries per mode")
    ap.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument(
        "--reuse", action="store_true", help="with --dir: reuse an archive built before"
    )
    ap.add_argument("--no-model", action="store_true", help="do not load MiniLM for queries")
    args = ap.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    reuse = args.reuse and db.exists()
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        shutil.rmtree(work / "home", ignore_errors=True)
    url = f"sqlite:///{db}"
    os.environ["BRIEFING_HOME"] = str(work / "home")
    os.environ["BRIEFING_DATABASE_URL"] = url
    settings = Settings.from_env()

    if reuse:
        print(f"reusing {db} (build time not measured)", file=sys.stderr)
        build_s, centroids = float("nan"), make_centroids()
    else:
        print(f"building {args.articles:,} articles over {args.days} days in {db}", file=sys.stderr)
        build_s, centroids = build_archive(url, args.articles, args.days)
    engine = open_engine(url)
    embedder = BenchEmbedder(centroids, use_model=not args.no_model)

    from bot.archive import search as search_mod

    t = time.perf_counter()
    index = search_mod.get_index(engine, settings, "bench-synthetic")
    index.sync(engine, force=True)
    index_s = time.perf_counter() - t
    exact = VectorIndex(None, "bench-synthetic", ann_threshold=10**12)
    t = time.perf_counter()
    exact.sync(engine, force=True)
    exact_load_s = time.perf_counter() - t

    rng = random.Random(3)
    filters = []
    for i in range(args.queries):
        opts: dict[str, str] = {"since": rng.choice(["7d", "30d", "60d"])}
        if i % 2 == 0:
            opts["label"] = "deployment"
        if i % 3 == 0:
            opts["topic"] = rng.choice(TOPICS)
        if i % 5 == 0:
            opts["source"] = f"source-{rng.randint(1, 50)}"
        filters.append(SearchFilters.from_options(**opts))

    # warm-up (first query pays connection set-up and page cache)
    for mode in ("keyword", "semantic", "hybrid"):
        time_queries(engine, settings, embedder, mode, filters[:3])
    results = {}
    for mode in ("keyword", "semantic", "hybrid"):
        results[mode] = time_queries(engine, settings, embedder, mode, filters)
    # baseline: the same queries with exact numpy brute force instead of HNSW
    search_mod._INDEXES[(str(engine.url), "bench-synthetic")] = exact
    for mode in ("semantic", "hybrid"):
        results[mode + " (numpy exact)"] = time_queries(engine, settings, embedder, mode, filters)
    # recall of HNSW against exact on unfiltered top-10
    recalls = []
    for c in range(50):
        got = {i for i, _ in index.search(centroids[c], 10)}
        want = {i for i, _ in exact.search(centroids[c], 10)}
        recalls.append(len(got & want) / 10)

    if embedder.model is not None:  # the query encoder alone, part of semantic and hybrid
        enc = []
        for i in range(args.queries):
            t = time.perf_counter()
            embedder.model.encode([QUERIES[i % len(QUERIES)] + f" {i}"])
            enc.append(time.perf_counter() - t)
        results["(MiniLM query encoding alone)"] = enc
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    idx_size = sum(p.stat().st_size for p in (work / "home").rglob("*") if p.is_file())
    print()
    print(
        f"articles: {args.articles:,}  build: {build_s:.0f} s  ({args.articles / build_s:,.0f} articles/s)"
    )
    print(f"database: {size / 1e6:,.0f} MB  vector index files: {idx_size / 1e6:,.0f} MB")
    print(f"index sync+HNSW build: {index_s:.1f} s   numpy exact load: {exact_load_s:.1f} s")
    print(f"HNSW recall@10 vs exact (unfiltered): {statistics.mean(recalls):.3f}")
    la1, la5, la15 = os.getloadavg()
    print(f"load average (1, 5, 15 min) on {os.cpu_count()} cores: {la1:.1f} {la5:.1f} {la15:.1f}")
    print(f"query encoder: {'all-MiniLM-L6-v2 (real)' if embedder.model else 'none (--no-model)'}")
    print(f"{'mode (with filters)':32} {'p50 ms':>8} {'p95 ms':>8} {'n':>5}")
    for mode, times in results.items():
        print(f"{mode:32} {pct(times, 50):8.1f} {pct(times, 95):8.1f} {len(times):5}")
    hp50, hp95 = pct(results["hybrid"], 50), pct(results["hybrid"], 95)
    ok = hp50 < 100 and hp95 < 300
    print(f"targets hybrid p50 < 100 ms, p95 < 300 ms: {'met' if ok else 'NOT met'}")
    engine.dispose()
    if not args.keep and args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
