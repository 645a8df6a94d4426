"""Hybrid archive search: keyword (FTS5 / PostgreSQL full text) fused with semantic search.

The two rankings are merged by reciprocal rank fusion (``score = sum 1 / (60 + rank)``), so
neither side's raw scores need calibrating. Filters apply to both sides; semantic candidates
are widened until enough of them pass the filters (or searched exactly within the filtered set).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.archive.filters import SearchFilters, where_articles
from bot.archive.fts import index_pending_now, keyword_matches, query_terms, search_keyword
from bot.archive.meta import ArchiveMeta, get_meta
from bot.archive.vectors import VectorIndex, index_dir
from bot.config import Settings
from bot.errors import ModelError, UsageError
from bot.pipeline.embed import Embedder, load_embedder
from bot.store.models import Article, ArticleSignal, Source, Story

log = logging.getLogger(__name__)
RRF_K = 60
# Below this cosine a semantic neighbour is noise, not a match (all-MiniLM-L6-v2 scale).
SEMANTIC_MIN_SCORE = 0.2
EXACT_CAP = 50_000  # a filtered set this small is searched exactly
WIDE_K = 20_000
KEYWORD_CAP = 5_000  # newest keyword matches ranked and filtered in memory
MODES = ("hybrid", "keyword", "semantic")
_INDEXES: dict[tuple[str, str], VectorIndex] = {}
_INDEX_LOCK = threading.Lock()


def get_index(engine: Engine, settings: Settings, model_id: str) -> VectorIndex:
    """The process-wide vector index of ``model_id`` for this database (synced on use)."""
    key = (str(engine.url), model_id)
    with _INDEX_LOCK:
        if key not in _INDEXES:
            directory = index_dir(settings.home, settings.database_url, model_id)
            _INDEXES[key] = VectorIndex(directory, model_id)
        return _INDEXES[key]


def fuse_rankings(*rankings: list[tuple[int, float]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several best-first rankings of ids."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (item, _score) in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _filter_ids(engine: Engine, ids: list[int], filters: SearchFilters) -> set[int]:
    cond = where_articles(filters)
    if cond is None or not ids:
        return set(ids)
    keep: set[int] = set()
    with engine.connect() as conn:
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            stmt = select(col(Article.id)).where(col(Article.id).in_(chunk), cond)
            keep.update(int(cast(int, r[0])) for r in conn.execute(stmt))  # stored ids: not NULL
    return keep


def _passing(
    engine: Engine, hits: list[tuple[int, float]], filters: SearchFilters, flt: _Filter | None
) -> list[tuple[int, float]]:
    """The hits that pass the filters (arrays for known articles, SQL for newer ones)."""
    if not filters.active or not hits:
        return hits
    if flt is None:
        keep = _filter_ids(engine, [i for i, _ in hits], filters)
        return [h for h in hits if h[0] in keep]
    ids = np.fromiter((i for i, _ in hits), dtype=np.int64, count=len(hits))
    known, passed = flt.meta.check(ids, flt.mask)
    keep_ids = set(ids[passed].tolist())
    unknown = ids[~known].tolist()
    if unknown:
        keep_ids |= _filter_ids(engine, unknown, filters)
    return [h for h in hits if h[0] in keep_ids]


class _Filter:
    """Filters evaluated once over the archive's filter arrays."""

    def __init__(self, meta: ArchiveMeta, filters: SearchFilters) -> None:
        self.meta = meta
        self.mask = meta.mask(filters)
        self.count = int(self.mask.sum())

    def allowed(self) -> np.ndarray:
        return self.meta.ids[self.mask]


def search_semantic(
    engine: Engine,
    index: VectorIndex,
    qvec: np.ndarray,
    filters: SearchFilters,
    limit: int,
    flt: _Filter | None = None,
) -> list[tuple[int, float]]:
    """Nearest articles to ``qvec`` that pass ``filters``, best first.

    A selective filter (at most EXACT_CAP articles) is searched exactly inside its set;
    otherwise the index's nearest candidates are widened until enough pass.
    """
    n = index.sync(engine)
    if n == 0:
        return []
    if filters.active and flt is not None and flt.count <= EXACT_CAP:
        return index.search_within(qvec, flt.allowed(), limit)
    k = min(n, max(limit * 4, 100))
    while True:
        passed = _passing(engine, index.search(qvec, k), filters, flt)
        if len(passed) >= limit or k >= min(n, WIDE_K):
            return passed[:limit]
        k = min(n, k * 4)


def make_snippet(text: str, terms: list[str], width: int = 220) -> str:
    """About ``width`` characters of ``text`` around the first query term found."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    low = flat.lower()
    hits = [low.find(t.lower()) for t in terms]
    hits = [h for h in hits if h >= 0]
    if not hits:
        return flat[:width] + ("…" if len(flat) > width else "")
    start = max(0, min(hits) - width // 4)
    if start > 0:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < min(hits) else start
    end = min(len(flat), start + width)
    return ("…" if start > 0 else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def describe_articles(
    engine: Engine, ids: list[int], terms: list[str]
) -> dict[int, dict[str, Any]]:
    """Display records of articles (source, topic, label, story, snippet) by id."""
    if not ids:
        return {}
    stmt = (
        select(Article, col(Source.slug), col(Source.name), ArticleSignal, Story)
        .outerjoin(Source, col(Source.id) == col(Article.source_id))
        .outerjoin(ArticleSignal, col(ArticleSignal.article_id) == col(Article.id))
        .outerjoin(Story, col(Story.id) == col(Article.story_id))
        .where(col(Article.id).in_(ids))
    )
    out: dict[int, dict[str, Any]] = {}
    with engine.connect() as conn:
        from sqlmodel import Session

        with Session(bind=conn) as session:
            for art, slug, name, sig, story in session.execute(stmt):
                topic = (sig.primary_topic if sig else None) or (
                    story.primary_topic if story else None
                )
                label = (sig.label if sig else None) or (story.label if story else None)
                out[art.id] = {
                    "id": art.id,
                    "type": "article",
                    "url": art.url,
                    "title": art.title,
                    "published": _iso(art.published_at),
                    "source": slug,
                    "source_name": name or art.site_name,
                    "topic": topic,
                    "label": label,
                    "story_id": art.story_id,
                    "snippet": make_snippet(art.text or art.summary or "", terms),
                }
    return out


def _group_stories(
    engine: Engine, fused: list[tuple[int, float]], details: dict[int, dict[str, Any]], limit: int
) -> list[dict[str, Any]]:
    by_story: dict[int, list[tuple[int, float]]] = {}
    for art_id, score in fused:
        sid = details.get(art_id, {}).get("story_id")
        if sid is not None:
            by_story.setdefault(sid, []).append((art_id, score))
    # A story ranks by its best article, with a small bonus for more matching articles.
    ranked = sorted(
        by_story.items(),
        key=lambda kv: -(kv[1][0][1] + 0.1 * sum(s for _, s in kv[1][1:])),
    )[:limit]
    if not ranked:
        return []
    with engine.connect() as conn:
        rows = {
            s.id: s
            for s in conn.execute(
                select(Story).where(col(Story.id).in_([sid for sid, _ in ranked]))
            )
        }
    results = []
    for sid, arts in ranked:
        story = rows.get(sid)
        if story is None:
            continue
        results.append(
            {
                "id": f"s{sid}",
                "story_id": sid,
                "type": "story",
                "title": story.title,
                "published": _iso(story.last_seen_at),
                "first_seen": _iso(story.first_seen_at),
                "topic": story.primary_topic,
                "label": story.label,
                "n_articles": story.n_articles,
                "score": round(arts[0][1] + 0.1 * sum(s for _, s in arts[1:]), 6),
                "articles": [
                    {k: details[a][k] for k in ("id", "url", "title", "published", "source")}
                    for a, _ in arts
                ],
                "snippet": details[arts[0][0]]["snippet"],
                "url": details[arts[0][0]]["url"],
                "source": details[arts[0][0]]["source"],
            }
        )
    return results


def archive_size(engine: Engine) -> int:
    """Number of articles stored."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Article)).scalar_one())


def search(
    engine: Engine,
    settings: Settings,
    query: str,
    *,
    filters: SearchFilters | None = None,
    stories: bool = False,
    limit: int = 10,
    mode: str = "hybrid",
    embedder: Embedder | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """Search the archive; ``options`` may give topic/label/source/since/until as CLI strings."""
    if mode not in MODES:
        raise UsageError(f"--mode: expected one of {', '.join(MODES)}, got {mode!r}")
    if limit < 1:
        raise UsageError("--limit: must be at least 1")
    filters = filters or SearchFilters.from_options(**options)
    terms = query_terms(query)
    depth = max(limit * (8 if stories else 3), 50)
    keyword: list[tuple[int, float]] = []
    semantic: list[tuple[int, float]] = []
    flt = None
    if filters.active and engine.dialect.name == "sqlite":
        meta = get_meta(engine)
        flt = _Filter(meta, filters) if meta.usable_for(filters) else None
    if mode in ("hybrid", "keyword"):
        index_pending_now(engine)  # articles a writer queued but has not indexed yet
        keyword = _keyword(engine, query, filters, depth, flt)
    if mode in ("hybrid", "semantic") and query.strip():
        semantic = _semantic(engine, settings, query, filters, depth, embedder, flt)
    fused = fuse_rankings(keyword, semantic)
    if not stories:
        fused = fused[:limit]
    details = describe_articles(engine, [i for i, _ in fused], terms)
    if stories:
        return _group_stories(engine, fused, details, limit)
    kw, sem = dict(keyword), dict(semantic)
    results = []
    for art_id, score in fused:
        if art_id not in details:
            continue
        rec = details[art_id]
        rec["score"] = round(score, 6)
        rec["matched"] = [m for m, d in (("keyword", kw), ("semantic", sem)) if art_id in d]
        results.append(rec)
    return results


def _keyword(
    engine: Engine, query: str, filters: SearchFilters, depth: int, flt: _Filter | None
) -> list[tuple[int, float]]:
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite" or (filters.active and flt is None):
            return search_keyword(conn, query, filters, depth)  # the database filters and ranks
        matches = keyword_matches(conn, query, KEYWORD_CAP)
    passed = _passing(engine, matches, filters, flt)
    passed.sort(key=lambda h: -h[1])
    return passed[:depth]


def _semantic(
    engine: Engine,
    settings: Settings,
    query: str,
    filters: SearchFilters,
    depth: int,
    embedder: Embedder | None,
    flt: _Filter | None = None,
) -> list[tuple[int, float]]:
    model_id = embedder.model_id if embedder is not None else _default_model_id(settings)
    index = get_index(engine, settings, model_id)
    if index.sync(engine) == 0:
        log.info("no stored embeddings for model %s: keyword search only", model_id)
        return []
    try:
        emb = embedder or load_embedder(settings.embedding_model)
        qvec = emb.encode([query])[0]
    except ModelError as exc:
        log.warning("semantic search unavailable (%s): keyword search only", exc)
        return []
    hits = search_semantic(engine, index, qvec, filters, depth, flt)
    return [h for h in hits if h[1] >= SEMANTIC_MIN_SCORE]


def _default_model_id(settings: Settings) -> str:
    from bot.pipeline.embed import DEFAULT_MODEL_ID

    return settings.embedding_model or DEFAULT_MODEL_ID
