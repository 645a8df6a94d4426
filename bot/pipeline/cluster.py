"""Stories: embed pending articles, merge near-duplicates, and link articles into stories.

One run (:func:`cluster_pending`) takes the articles not yet in a story, oldest first, in batches.
For each batch it loads the open stories (last seen within the horizon, ``BRIEFING_STORY_HORIZON``,
default 3 years; an indexed query on ``stories.last_seen_at``, so the cost does not grow with the
archive beyond the horizon) and runs the :class:`~bot.pipeline.linkage.Clusterer` (default: average
linkage at 4.0 sd) over the new articles plus those stories (one node each, weighted by size, never
merged with each other). The evidence a link needs grows with the time gap (``time_slope * ln(1 +
gap / time_scale_s)`` sd) instead of stopping at a cut-off: gold events in giveme5w1h span months to
years. Measured (``scripts/eval_clustering.py``, BCubed F1): giveme5w1h 0.885 -> 0.925 and ai_news
0.743 -> 0.884 against the former hard 30-day horizon at 3.5 sd; same-topic events less than 7
days apart sharing a story 4/193 -> 3/193. A pair whose headlines both name something and share no
name with the other's headline and lead loses ``headline_penalty`` (1 sd): giveme5w1h 0.925 -> 0.929
(precision 0.953 -> 0.960), ai_news unchanged at 0.884, same-topic 3/193 -> 2/193.

The horizon is only a cost cap (the comparison with older stories in :func:`_open_stories`, from
a file copy of their centroids (:mod:`bot.pipeline.story_index`), grows with it); the
time penalty decides, and a link three years on needs 6.5 sd. Horizon 365 days -> 3 years:
giveme5w1h P/R/F1 0.960/0.899/0.929 -> 0.960/0.921/0.940 (ARI 0.864 -> 0.876, AMI 0.930 -> 0.940),
ai_news 0.931/0.842/0.884 -> 0.931/0.874/0.901 (AMI 0.859 -> 0.880), same-topic merges unchanged
(2/193, 1/6); 18 months 0.935/0.897, 2 years 0.938/0.901, 5 and 10 years the same as 3. What it
adds on giveme5w1h, with no new merge: follow-ups 13 to 20 months on (West Bank settlement funding,
Tiangong-1, the Cincinnati zoo gorilla, two Panama Papers pieces, a sex-trafficking sting) and a
2013 satellite launch 2.6 years before its story; on ai_news, three undated pages (replayed at the
last dated day) that join their dated stories. Cost, ``scripts/bench_stories.py`` [3] (a 200k-article
archive over 730 days, all inside the new horizon; machine load about 3): 500 new articles in 1.58
-> 2.12 s CPU.

An article without a publication date is placed at its first sighting, which only bounds its
publication from above: no time gap is held against it towards earlier stories or other undated
articles (:func:`_article_gaps`). Measured: ai_news (many undated pages, replayed at the last
dated day) P/R/F1/ARI/AMI 0.931/0.874/0.901/0.869/0.880 -> 0.933/0.983/0.958/0.952/0.951,
same-topic merges unchanged (1/6); giveme5w1h (all dated) unchanged.

Headline evidence: each article's headline is also embedded alone (stored under the model id plus
``#headline``, on first need, in the batch's transaction), and a pair whose headlines are more
alike than their bodies (z against a headline background, less ``headline_discount`` = 1 sd) gets
the headline's evidence instead of the body's. A feature piece published beside the news (two
families mourned after a plane crash, leaders named in a leak) often opens far from the event
while its headline names it. Stories take the mean headline vector of their articles (average
linkage again); only stories seen in the last 30 days (``RECENT_S``) are compared this way, so the
cost follows the daily volume, not the horizon. Measured: giveme5w1h P/R/F1/ARI/AMI
0.960/0.921/0.940/0.876/0.940 -> 0.960/0.931/0.945/0.886/0.947 (same-topic merges 2/193
unchanged); ai_news unchanged (0.933/0.983/0.958). Against every open story (3-year horizon):
0.960/0.935/0.9475, but 500 new articles against a 200k archive took 2.4x the time of a 10k one
(``scripts/bench_stories.py`` [3]). Discount 0.5 (a scratch version): giveme5w1h precision 0.939.
Mixing the headline vector into the stored one instead
(weights 0.5 and 1): 0.937 and 0.935 on giveme5w1h, 0.878 and 0.871 on ai_news (before the
undated-article change). Reinstated after articles were read as a reader does
(:mod:`bot.pipeline.lead`: captions dropped, a site-name title replaced by the URL's slug, which
is also what a headline vector is made from): giveme5w1h 0.960/0.938/0.949/0.889/0.949 ->
0.960/0.948/0.954/0.898/0.955, ai_news unchanged, same-topic merges unchanged (2/193, 1/6).

The HDBSCAN clusterer (:mod:`bot.pipeline.density`) measured 0.770 and 0.778 through the same
replay, so linkage is the default. A new article that links to an open story joins it and the story
keeps its id; the others form new stories, singletons included. Copies (see
:mod:`bot.pipeline.dedup`) found among the articles of the rolling window (``BRIEFING_STORY_WINDOW``,
default 72 h) join their original's story.

Each batch is written in one transaction: a process killed mid-run loses that batch's work only,
and the next run redoes it, so no story is lost, split or counted twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import numpy as np
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.archive.vectors import index_dir
from bot.config import Settings
from bot.errors import ConfigError
from bot.pipeline.dedup import DedupItem, find_duplicates
from bot.pipeline.density import HdbscanClusterer
from bot.pipeline.embed import (
    Embedder,
    bytes_to_vector,
    embed_pending,
    hash_input,
    headline_input,
    headline_model,
    load_embedder,
    load_vectors,
    vector_to_bytes,
)
from bot.pipeline.lead import reading
from bot.pipeline.linkage import (
    ENTITY_CHARS,
    NEVER,
    AverageLinkage,
    Background,
    Clusterer,
    entity_matrix,
    estimate_background,
    extract_entities,
    headline_mismatch,
)
from bot.pipeline.outlets import count_outlets
from bot.pipeline.story_index import StoryIndex
from bot.store.db import chunked, session_scope
from bot.store.models import Article, Embedding, Run, Story, utcnow
from bot.timeparse import as_utc as _aware


@dataclass(frozen=True)
class ClusterConfig:
    """One configuration for all feeds (thresholds are in standard deviations above chance)."""

    window_s: int = 72 * 3600
    horizon_s: int = 3 * 365 * 86400  # a cost cap: the time penalty decides (module doc)
    threshold: float = 4.0
    entity_weight: float = 3.0
    background_size: int = 1000
    batch_size: int = 2000
    n_keywords: int = 12
    # Soft time penalty (sd): evidence needed to link grows with the gap between an article and a
    # story, ``time_slope * ln(1 + gap / time_scale_s)``; the horizon stays as a hard cap.
    time_scale_s: float = 7 * 86400
    time_slope: float = 0.5
    # Evidence taken off a pair whose headlines name different things (see headline_mismatch).
    headline_penalty: float = 1.0
    # Headline evidence (z of the headlines' own vectors) stands in for the body's when it is
    # stronger, less this discount: a headline is a short, noisier text (see _headline_bonus).
    headline_discount: float = 1.0
    clusterer: str = "linkage"  # or "hdbscan" (see bot/pipeline/density.py)
    # Older stories (30 days to the horizon) read from a file copy of their centroids
    # (bot/pipeline/story_index.py); False: from the database on every run (the baseline).
    old_story_index: bool = True
    hdbscan_selection: str = "eom"

    @classmethod
    def from_settings(cls, settings: Settings) -> ClusterConfig:
        """Read BRIEFING_STORY_WINDOW and BRIEFING_STORY_HORIZON (durations like 72h, 14d)."""
        from bot.sources import parse_duration

        values: dict[str, int] = {}
        for name, key in (
            ("BRIEFING_STORY_WINDOW", "window_s"),
            ("BRIEFING_STORY_HORIZON", "horizon_s"),
        ):
            raw = settings.extra.get(name)
            if raw:
                try:
                    values[key] = parse_duration(raw)
                except ValueError as exc:
                    raise ConfigError(f"{name}: {exc}") from None
                if values[key] <= 0:
                    raise ConfigError(f"{name}: must be positive, got {raw!r}")
        # cast: mypy would check the **dict[str, int] values against every field, str ones too
        return cls(**cast(dict[str, Any], values))


def make_clusterer(cfg: ClusterConfig) -> Clusterer:
    """The configured :class:`~bot.pipeline.linkage.Clusterer`."""
    if cfg.clusterer == "linkage":
        return AverageLinkage(cfg.threshold)
    if cfg.clusterer == "hdbscan":
        return HdbscanClusterer(cfg.threshold, selection=cfg.hdbscan_selection)
    raise ConfigError(f"unknown story clusterer {cfg.clusterer!r} (linkage or hdbscan)")


def article_time(published_at: datetime | None, first_seen_at: datetime | None) -> datetime:
    """When an article happened for clustering: published, else first seen, else now."""
    return _aware(published_at) or _aware(first_seen_at) or utcnow()


@dataclass
class _Pending:
    id: int
    title: str
    text: str
    url: str
    content_hash: str
    at: datetime
    vector: np.ndarray
    dated: bool = True  # False: ``at`` is when it was first seen, an upper bound (_article_gaps)
    headline: str = ""  # the title unless it only names the site; what names are read from
    lead: str = ""  # the text without photo captions (bot.pipeline.lead)

    def __post_init__(self) -> None:
        self.headline, self.lead = reading(self.title, self.text, self.url)


def _pending_batch(session: Session, model_id: str, limit: int) -> list[_Pending]:
    order = func.coalesce(Article.published_at, Article.first_seen_at)
    rows = session.execute(
        select(
            col(Article.id),
            col(Article.title),
            func.substr(Article.text, 1, 4000),
            col(Article.summary),
            col(Article.url),
            col(Article.content_hash),
            col(Article.published_at),
            col(Article.first_seen_at),
            col(Embedding.vector),
        )  # fmt: skip
        .join(
            Embedding,
            (col(Embedding.article_id) == col(Article.id)) & (col(Embedding.model) == model_id),
        )
        .where(col(Article.story_id).is_(None))
        .order_by(order, col(Article.id))
        .limit(limit)
    ).all()
    return [
        _Pending(
            aid,
            title or "",
            text or summary or "",
            url,
            ch,
            article_time(p, f),
            bytes_to_vector(v),
            p is not None,
        )
        for aid, title, text, summary, url, ch, p, f, v in rows
    ]


@dataclass
class _Headlines:
    """Headline vectors of a batch, their background, and the stories' headline centroids."""

    batch: np.ndarray  # one row per batch article, zeros where it has no headline
    background: Background
    stories: dict[int, np.ndarray]  # story id -> mean headline vector of its articles


def _batch_headlines(
    session: Session, batch: list[_Pending], model_id: str, embedder: Embedder
) -> np.ndarray:
    """Headline vectors of the batch: stored ones reused, the others embedded and stored."""
    hm = headline_model(model_id)
    inputs = {a.id: headline_input(a.title, a.url) for a in batch}
    stored: dict[int, tuple[str, bytes]] = {}
    for chunk in chunked([a.id for a in batch], 900):
        rows = session.execute(
            select(col(Embedding.article_id), col(Embedding.text_hash), col(Embedding.vector))
            .where(col(Embedding.article_id).in_(chunk), col(Embedding.model) == hm)
        ).all()  # fmt: skip
        stored.update({aid: (h, v) for aid, h, v in rows})
    todo = [
        a.id
        for a in batch
        if inputs[a.id] and (a.id not in stored or stored[a.id][0] != hash_input(inputs[a.id]))
    ]
    if todo:
        vecs = embedder.encode([inputs[i] for i in todo])
        now = utcnow()
        for chunk in chunked(todo, 900):
            session.execute(
                delete(Embedding).where(
                    col(Embedding.article_id).in_(chunk), col(Embedding.model) == hm
                )
            )
        session.add_all(
            Embedding(
                article_id=i,
                model=hm,
                text_hash=hash_input(inputs[i]),
                dim=int(v.shape[0]),
                vector=vector_to_bytes(v),
                created_at=now,
            )  # fmt: skip
            for i, v in zip(todo, vecs, strict=True)
        )
        stored.update({i: ("", vector_to_bytes(v)) for i, v in zip(todo, vecs, strict=True)})
        session.flush()
    dim = batch[0].vector.shape[0]
    out = np.zeros((len(batch), dim), np.float32)
    for k, a in enumerate(batch):
        if inputs[a.id] and a.id in stored:
            vec = bytes_to_vector(stored[a.id][1])
            if vec.shape[0] == dim:
                out[k] = vec
    return out


def _headlines(
    session: Session,
    batch: list[_Pending],
    stories: list[Story],
    model_id: str,
    embedder: Embedder,
    size: int,
) -> _Headlines:
    """What the headline evidence needs: the batch's vectors, a background and story centroids."""
    hm = headline_model(model_id)
    heads = _batch_headlines(session, batch, model_id, embedder)
    ids = _recent_clustered_ids(session, size)
    sample: list[np.ndarray] = []
    for chunk in chunked(ids, 900):
        sample += [
            bytes_to_vector(v)
            for v in session.scalars(
                select(col(Embedding.vector)).where(
                    col(Embedding.article_id).in_(chunk), col(Embedding.model) == hm
                )
            ).all()
        ]
    sample += [h for h in heads[:size] if h.any()]
    dim = heads.shape[1]
    vecs = np.stack(sample).astype(np.float32) if sample else np.zeros((0, dim), np.float32)
    background = estimate_background(vecs, [])
    centroids: dict[int, np.ndarray] = {}
    missing: list[Story] = []
    for st in stories:
        raw = st.headline_centroid
        if raw is not None and len(raw) == dim * 4:
            centroids[cast(int, st.id)] = bytes_to_vector(raw).astype(np.float64)
        elif raw is None:  # b"": its articles have no headline vector
            missing.append(st)
    # Stories stored before their headline centroid was: from their articles, once.
    story_of: dict[int, int] = {}
    for chunk in chunked([cast(int, st.id) for st in missing], 900):
        story_of.update(
            session.execute(
                select(col(Article.id), col(Article.story_id)).where(
                    col(Article.story_id).in_(chunk)
                )
            ).all()
        )
    members: dict[int, list[int]] = {}
    for aid, sid in story_of.items():
        members.setdefault(sid, []).append(aid)
    means = _headline_means(session, members, hm, dim)
    for st in missing:
        mean = means.get(cast(int, st.id))
        st.headline_centroid = b"" if mean is None else vector_to_bytes(mean)
        session.add(st)
        if mean is not None:
            centroids[cast(int, st.id)] = mean.astype(np.float64)
    return _Headlines(heads, background, centroids)


def _headline_means(
    session: Session, members: dict[int, list[int]], hm: str, dim: int
) -> dict[int, np.ndarray]:
    """Mean headline vector per story id, from its articles' stored headline vectors."""
    vecs = load_vectors(session, [a for ids in members.values() for a in ids], hm)
    out: dict[int, np.ndarray] = {}
    for sid, ids in members.items():
        have = [vecs[a] for a in ids if a in vecs and vecs[a].shape[0] == dim]
        if have:
            out[sid] = np.stack(have).astype(np.float32).mean(axis=0)
    return out


def _headline_bonus(
    z_body: np.ndarray, heads: np.ndarray, cols: np.ndarray, hl: _Headlines, cfg: ClusterConfig
) -> np.ndarray:
    """How much the headlines' evidence exceeds the body's (rows x cols; zero if it does not).

    A feature piece published beside the news (a victim's family, a suspect's past) often opens
    far from the event while its headline names it; two reports of one event are alike in
    their bodies or in their headlines. Headline evidence is the z-score of the headlines'
    vectors against the headline background, less ``headline_discount``.
    """
    bg = hl.background
    has_r = np.asarray(heads.any(axis=1), dtype=bool)
    has_c = np.asarray(cols.any(axis=1), dtype=bool)
    z = ((heads - bg.mean) @ (cols - bg.mean).T - bg.offset) / bg.scale
    bonus = np.maximum(z - cfg.headline_discount - z_body, 0.0)
    return np.where(has_r[:, None] & has_c[None, :], bonus, 0.0)


def _recent_clustered_ids(session: Session, size: int) -> Sequence[int]:
    """Ids of the newest ``size`` articles already in a story (the background sample)."""
    # primary keys of stored rows are never NULL (Article.id is Optional only before saving)
    return cast(
        "Sequence[int]",
        session.scalars(
            select(col(Article.id))
            .where(col(Article.story_id).is_not(None))
            .order_by(col(Article.id).desc())
            .limit(size)
        ).all(),
    )


def _background(session: Session, model_id: str, batch: list[_Pending], size: int) -> Background:
    # Two steps: the newest clustered ids walk the primary key backwards and stop at `size`;
    # joining embeddings in the same query made SQLite scan the whole embeddings table.
    ids = _recent_clustered_ids(session, size)
    rows: list[Any] = []
    for chunk in chunked(ids, 900):
        rows += session.execute(
            select(
                col(Article.title),
                func.substr(Article.text, 1, ENTITY_CHARS),
                col(Embedding.vector),
            )
            .join(
                Embedding,
                (col(Embedding.article_id) == col(Article.id)) & (col(Embedding.model) == model_id),
            )
            .where(col(Article.id).in_(chunk))
        ).all()
    vecs = [bytes_to_vector(v) for _, _, v in rows] + [p.vector for p in batch[:size]]
    ents = [extract_entities(t, x) for t, x, _ in rows] + [
        extract_entities(p.headline, p.lead) for p in batch[:size]
    ]
    return estimate_background(np.stack(vecs).astype(np.float32), ents)


RECENT_S = 30 * 86400  # stories seen this recently are all linkage candidates
OLD_MIN_COSINE = 0.3  # older ones only this close to a new article (unrelated: 0.08-0.26 average)
OLD_MAX = 1000  # and at most this many of them, the closest


def _open_stories(
    session: Session,
    model_id: str,
    batch: list[_Pending],
    horizon_s: int,
    index: StoryIndex | None = None,
) -> list[Story]:
    """Stories a batch may join: all recent ones, and older ones close to one of its articles.

    A long horizon must not make each run load every story of the past months as objects:
    older stories are compared by centroid cosine, from the file copy of their centroids
    (:class:`~bot.pipeline.story_index.StoryIndex`; without one, from their raw columns), and only
    those close to some new article are loaded. The work grows with the number of stories inside
    the horizon (a daily volume times the horizon), never with the archive beyond it.
    """
    t0 = min(a.at for a in batch)
    recent_since = t0 - timedelta(seconds=min(RECENT_S, horizon_s))
    stories = list(
        session.scalars(
            select(Story).where(
                col(Story.last_seen_at) >= recent_since, col(Story.model) == model_id
            )
        ).all()
    )
    horizon_since = t0 - timedelta(seconds=horizon_s)
    if horizon_since >= recent_since:
        return stories
    dim = batch[0].vector.shape[0]
    if index is not None:
        index.sync(session, model_id, dim, recent_since, horizon_since)
        ids = index.candidates(np.stack([a.vector for a in batch]), OLD_MIN_COSINE, OLD_MAX)
        for chunk in chunked(sorted(ids), 900):
            stories += session.scalars(
                select(Story).where(
                    col(Story.id).in_(chunk),
                    col(Story.last_seen_at) >= horizon_since,
                    col(Story.last_seen_at) < recent_since,
                    col(Story.model) == model_id,
                )
            ).all()
        return stories
    result = session.connection().execute(
        select(col(Story.id), col(Story.centroid)).where(
            col(Story.last_seen_at) >= horizon_since,
            col(Story.last_seen_at) < recent_since,
            col(Story.model) == model_id,
            func.length(Story.centroid) == dim * 4,
        )
    )
    # raw rows into one buffer: ~18k stories a year of horizon. Typed Any: ids of stored rows
    # and centroids (the length condition) are never NULL, though the columns are Optional.
    rows: Sequence[Any] = result.fetchall()
    if not rows:
        return stories
    old_ids = [int(r[0]) for r in rows]
    cents = np.frombuffer(b"".join([r[1] for r in rows]), dtype="<f4").reshape(len(rows), dim)
    norms = np.sqrt(np.maximum(np.einsum("ij,ij->i", cents, cents), 1e-18))
    sims = np.stack([a.vector for a in batch]).astype(np.float32) @ cents.T / norms
    best = sims.max(axis=0)  # each old story's closest new article
    close = np.flatnonzero(best >= OLD_MIN_COSINE)
    if len(close) > OLD_MAX:
        close = close[np.argsort(-best[close])[:OLD_MAX]]
    ids = sorted(old_ids[j] for j in close)
    for chunk in chunked(ids, 900):
        stories += session.scalars(select(Story).where(col(Story.id).in_(chunk))).all()
    return stories


def _window_items(session: Session, story_ids: list[int], since: datetime) -> list[DedupItem]:
    if not story_ids:
        return []
    items: list[DedupItem] = []
    for i in range(0, len(story_ids), 900):
        rows = session.execute(
            select(
                col(Article.id),
                col(Article.content_hash),
                col(Article.title),
                func.substr(Article.text, 1, 3000),
                col(Article.duplicate_of),
                col(Embedding.vector),
            )  # fmt: skip
            .join(Embedding, col(Embedding.article_id) == col(Article.id))
            .where(
                col(Article.story_id).in_(story_ids[i : i + 900]),
                or_(col(Article.published_at) >= since, col(Article.first_seen_at) >= since),
            )
        ).all()
        items += [
            DedupItem(aid, ch, t or "", x or "", bytes_to_vector(v), dup)
            for aid, ch, t, x, dup, v in rows
        ]
    return items


def _article_gaps(times: np.ndarray, dated: np.ndarray) -> np.ndarray:
    """Seconds between articles that are known to lie between them (rows x cols).

    An undated article was published at or before it was first seen (its ``at``), so it is
    only known to be apart from a dated article published after that, and never from another
    undated one: an undated explainer first seen today may belong to last month's story.
    """
    diff = times[:, None] - times[None, :]  # row minus column
    gap = np.abs(diff)
    gap = np.where(~dated[:, None] & dated[None, :], np.maximum(-diff, 0.0), gap)
    gap = np.where(dated[:, None] & ~dated[None, :], np.maximum(diff, 0.0), gap)
    return np.where(~dated[:, None] & ~dated[None, :], 0.0, gap)


def _time_penalty(gap_s: np.ndarray, cfg: ClusterConfig) -> np.ndarray:
    """Extra evidence (sd) a link needs across a time gap: grows with the log of the gap."""
    return cfg.time_slope * np.log1p(gap_s / cfg.time_scale_s)


def _similarities(
    batch: list[_Pending],
    stories: list[Story],
    bg: Background,
    cfg: ClusterConfig,
    hl: _Headlines | None = None,
) -> tuple[np.ndarray, list[Story]]:
    """Node similarity in z-units: candidate stories first, then the new articles.

    A story whose similarity to every new article is below the threshold cannot link (an average
    of values below it stays below it), so only the others enter as nodes: the matrix grows
    with the batch, not with the number of open stories.
    """
    p = len(batch)
    xs = np.stack([p_.vector for p_ in batch]).astype(np.float64) - bg.mean
    cents = (
        np.stack([bytes_to_vector(st.centroid) for st in stories]).astype(np.float64) - bg.mean  # type: ignore[arg-type]
        if stories
        else np.zeros((0, xs.shape[1]))
    )
    art_sets = [extract_entities(a.headline, a.lead) for a in batch]
    art_heads = [extract_entities(a.headline, "") for a in batch]
    art_ents = [bg.entity_weights(es) for es in art_sets]
    story_ents = [bg.entity_weights(st.keywords or []) for st in stories]
    z_pp = (xs @ xs.T - bg.offset) / bg.scale
    pp = z_pp + cfg.entity_weight * entity_matrix(art_ents)
    if hl is not None:
        pp += _headline_bonus(z_pp, hl.batch, hl.batch, hl, cfg)
    pp -= cfg.headline_penalty * headline_mismatch(art_heads, art_sets)
    times = np.array([a.at.timestamp() for a in batch])
    dated = np.array([a.dated for a in batch])
    gap = _article_gaps(times, dated)
    pp -= _time_penalty(gap, cfg)
    pp[gap > cfg.horizon_s] = NEVER
    ps = np.zeros((p, 0))
    if stories:
        z_ps = (xs @ cents.T - bg.offset) / bg.scale
        ps = z_ps + cfg.entity_weight * entity_matrix(art_ents, story_ents)
        if hl is not None:
            dim = xs.shape[1]
            st_hl = np.stack([hl.stories.get(st.id, np.zeros(dim)) for st in stories])  # type: ignore[arg-type]
            ps += _headline_bonus(z_ps, hl.batch, st_hl, hl, cfg)
        # A story's headline is its central article's; its names, the keywords of its articles.
        st_heads = [extract_entities(st.title, "") for st in stories]
        st_sets = [
            frozenset(st.keywords or []) | h for st, h in zip(stories, st_heads, strict=True)
        ]
        ps -= cfg.headline_penalty * headline_mismatch(art_heads, art_sets, st_heads, st_sets)
        last = np.array([_aware(st.last_seen_at).timestamp() for st in stories])  # type: ignore[union-attr]
        first = np.array([_aware(st.first_seen_at).timestamp() for st in stories])  # type: ignore[union-attr]
        gap = np.maximum(times[:, None] - last[None, :], first[None, :] - times[:, None])
        # an undated article is only known to be apart from a story that began after it was seen
        gap = np.where(dated[:, None], gap, first[None, :] - times[:, None])
        ps -= _time_penalty(np.maximum(gap, 0.0), cfg)
        ps[gap > cfg.horizon_s] = NEVER
    keep = np.flatnonzero(ps.max(axis=0, initial=NEVER) >= cfg.threshold)
    s = len(keep)
    sim = np.full((s + p, s + p), NEVER)
    sim[s:, s:] = pp
    sim[s:, :s] = ps[:, keep]
    sim[:s, s:] = ps[:, keep].T
    return sim, [stories[i] for i in keep]


def _refresh_stories(
    session: Session, stories: list[Story], model_id: str, cfg: ClusterConfig
) -> None:
    """Recompute title, keywords, counts, span, centroid and headline centroid of stories from
    their articles."""
    by_story: dict[int, list[Any]] = {st.id: [] for st in stories}  # type: ignore[misc]
    ids = list(by_story)
    for i in range(0, len(ids), 900):
        rows = session.execute(
            select(
                col(Article.id), col(Article.story_id), col(Article.title), col(Article.url),
                col(Article.published_at), col(Article.first_seen_at),
                func.substr(Article.text, 1, ENTITY_CHARS),
            ).where(col(Article.story_id).in_(ids[i : i + 900]))
        ).all()  # fmt: skip
        for row in rows:
            by_story[row[1]].append(row)
    vecs = load_vectors(session, [r[0] for rows in by_story.values() for r in rows], model_id)
    dim = next(iter(vecs.values())).shape[0] if vecs else 0
    heads = _headline_means(
        session,
        {sid: [r[0] for r in rows] for sid, rows in by_story.items()},
        headline_model(model_id),
        dim,
    )
    now = utcnow()
    for story in stories:
        rows = [r for r in by_story[story.id] if r[0] in vecs]  # type: ignore[index]
        if not rows:
            continue
        mat = np.stack([vecs[r[0]] for r in rows]).astype(np.float32)
        centroid = mat.mean(axis=0)
        views = [reading(r[2], r[6], r[3]) for r in rows]
        # the most central article that has a headline of its own (not just the site's name)
        order = np.argsort(-(mat @ centroid), kind="stable")
        central = rows[next((int(k) for k in order if views[k][0]), int(order[0]))]
        counts: dict[str, int] = {}
        for head, lead in views:
            for e in extract_entities(head, lead):
                counts[e] = counts.get(e, 0) + 1
        times = [article_time(r[4], r[5]) for r in rows]
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        story.title = central[2] or story.title
        story.keywords = [e for e, _ in ranked[: cfg.n_keywords]]
        story.first_seen_at = min(times)
        story.last_seen_at = max(times)
        story.n_articles = len(rows)
        story.n_outlets = count_outlets(r[3] for r in rows)
        story.centroid = vector_to_bytes(centroid)
        hvec = heads.get(story.id)  # type: ignore[arg-type]
        story.headline_centroid = b"" if hvec is None else vector_to_bytes(hvec)
        story.model = model_id
        story.updated_at = now
        session.add(story)


def cluster_batch(
    session: Session,
    batch: list[_Pending],
    model_id: str,
    cfg: ClusterConfig,
    embedder: Embedder | None = None,
    index: StoryIndex | None = None,
) -> dict[str, int]:
    """Put one batch of new articles into stories (inside the caller's transaction)."""
    t0 = min(a.at for a in batch)
    stories = _open_stories(session, model_id, batch, cfg.horizon_s, index)
    bg = _background(session, model_id, batch, cfg.background_size)
    window_since = t0 - timedelta(seconds=cfg.window_s)
    old = _window_items(
        session,
        [st.id for st in stories if _aware(st.last_seen_at) >= window_since],  # type: ignore[misc, operator]
        window_since,
    )
    new = [DedupItem(a.id, a.content_hash, a.title, a.text, a.vector) for a in batch]
    dups = find_duplicates(new, old)
    story_of_old: dict[int, int | None] = {}
    if dups:
        ids = [c for c in set(dups.values())]
        story_of_old = dict(
            session.execute(
                select(col(Article.id), col(Article.story_id)).where(col(Article.id).in_(ids))
            ).all()
        )
    nodes = [a for a in batch if a.id not in dups]
    assign: dict[int, int] = {}  # article id -> story id
    touched: dict[int, Story] = {}
    new_stories = 0
    if nodes:
        hl = None
        if embedder is not None:
            # the recent stories only: their count follows the daily volume, not the horizon
            since = t0 - timedelta(seconds=min(RECENT_S, cfg.horizon_s))
            recent = [st for st in stories if _aware(st.last_seen_at) >= since]  # type: ignore[operator]
            hl = _headlines(session, nodes, recent, model_id, embedder, cfg.background_size)
        sim, cands = _similarities(nodes, stories, bg, cfg, hl)
        weights = np.array([max(st.n_articles, 1) for st in cands] + [1] * len(nodes), float)
        labels = make_clusterer(cfg).cluster(sim, weights, len(cands))
        s = len(cands)
        story_for_label: dict[int, Story] = {int(labels[i]): cands[i] for i in range(s)}
        for k, art in enumerate(nodes):
            lab = int(labels[s + k])
            story = story_for_label.get(lab)
            if story is None:
                story = Story(
                    title=art.title, model=model_id, first_seen_at=art.at, last_seen_at=art.at
                )
                session.add(story)
                session.flush()
                story_for_label[lab] = story
                new_stories += 1
            assign[art.id] = story.id  # type: ignore[assignment]
            touched[story.id] = story  # type: ignore[index]
    now = utcnow()
    changes: list[dict[str, Any]] = []
    for art in batch:
        canonical = dups.get(art.id)
        if canonical is not None:
            sid = assign.get(canonical) or story_of_old.get(canonical)
            if sid is None:  # the original is not in a story (yet): treat the copy as a story
                story = Story(
                    title=art.title, model=model_id, first_seen_at=art.at, last_seen_at=art.at
                )
                session.add(story)
                session.flush()
                sid, new_stories = story.id, new_stories + 1
            assign[art.id] = sid  # type: ignore[assignment]
            if sid not in touched:
                touched[sid] = session.get(Story, sid)  # type: ignore[assignment, index]
        changes.append(
            {
                "id": art.id,
                "story_id": assign[art.id],
                "duplicate_of": canonical,
                "clustered_at": now,
            }
        )
    session.execute(update(Article), changes)  # bulk UPDATE by primary key
    _refresh_stories(session, list(touched.values()), model_id, cfg)
    if index is not None:
        index.add(list(touched.values()))
    existing = {st.id for st in stories}
    attached = sum(1 for a in batch if assign[a.id] in existing)
    return {
        "articles": len(batch),
        "duplicates": len(dups),
        "new_stories": new_stories,
        "attached": attached,
        "stories_touched": len(touched),
    }


def cluster_pending(
    engine: Engine,
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    stop: threading.Event | None = None,
    config: ClusterConfig | None = None,
) -> dict[str, Any]:
    """Embed and cluster every article not yet in a story; returns the run report."""
    cfg = config or ClusterConfig.from_settings(settings)
    embedder = embedder or load_embedder(settings.embedding_model)
    started = utcnow()
    t_start = time.perf_counter()
    with session_scope(engine) as session:
        run = Run(kind="cluster", status="running", started_at=started)
        session.add(run)
        session.flush()
        run_id = run.id
    totals = {
        "embedded": 0,
        "articles": 0,
        "duplicates": 0,
        "new_stories": 0,
        "attached": 0,
        "stories_touched": 0,
    }
    emb = embed_pending(engine, embedder, stop=stop)
    totals["embedded"] = emb["embedded"]
    index = (
        StoryIndex(index_dir(settings.home, settings.database_url, embedder.model_id + "#stories"))
        if cfg.old_story_index
        else None
    )
    interrupted = False
    while True:
        if stop is not None and stop.is_set():
            interrupted = True
            break
        with session_scope(engine) as session:
            batch = _pending_batch(session, embedder.model_id, cfg.batch_size)
            if not batch:
                break
            counts = cluster_batch(session, batch, embedder.model_id, cfg, embedder, index)
        for key, value in counts.items():
            totals[key] += value
    finished = utcnow()
    report: dict[str, Any] = {
        "run_id": run_id,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "duration_s": round(time.perf_counter() - t_start, 3),
        "model": embedder.model_id,
        "interrupted": interrupted,
        "totals": totals,
    }
    with session_scope(engine) as session:
        row = session.get(Run, run_id)
        if row is not None:
            row.status = "interrupted" if interrupted else "ok"
            row.finished_at = finished
            row.report = report
            session.add(row)
    return report


def format_report(report: dict[str, Any]) -> str:
    """One line for the terminal: ``articles=40 embedded=40 duplicates=3 stories=+12 attached=9``."""
    t = report["totals"]
    line = (
        f"articles={t['articles']} embedded={t['embedded']} duplicates={t['duplicates']} "
        f"stories=+{t['new_stories']} attached={t['attached']} in {report['duration_s']:.1f}s"
    )
    return line + (" (interrupted)" if report.get("interrupted") else "")
