"""Filter columns of every article held in numpy arrays, so filters cost microseconds at scale.

Search candidates (keyword and semantic) are checked against these arrays instead of running
correlated SQL per candidate; a selective filter lists its articles straight from the arrays.
The arrays are reloaded when older than ``MAX_AGE_S``; articles stored after the load are
"unknown" and checked in SQL by the caller. Semantics match ``filters.article_conditions``:
an article's own signal decides its topic and label; the story's applies when it has none.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.archive.filters import SearchFilters
from bot.store.models import Article, ArticleSignal, Source, Story

MAX_AGE_S = 120.0
NO_DATE = np.iinfo(np.int64).min


def _epoch(value: datetime | None) -> int:
    if value is None:
        return int(NO_DATE)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


class ArchiveMeta:
    """ids (sorted) with published time, source id, label code and a topic bitmask each."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.published = np.zeros(0, dtype=np.int64)
        self.source = np.zeros(0, dtype=np.int32)
        self.label = np.zeros(0, dtype=np.int16)
        self.topics = np.zeros(0, dtype=np.int64)
        self.labels: dict[str, int] = {}
        self.topic_bits: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.loaded_at = 0.0

    def load(self, engine: Engine) -> ArchiveMeta:
        """Read the filter columns of all articles (one query, streamed)."""
        stmt = (
            select(
                Article.id,
                Article.published_at,
                Article.source_id,
                ArticleSignal.article_id,
                ArticleSignal.label,
                ArticleSignal.primary_topic,
                ArticleSignal.topics,
                Story.label,
                Story.primary_topic,
                Story.topics,
            )  # fmt: skip
            .outerjoin(ArticleSignal, ArticleSignal.article_id == Article.id)  # type: ignore[arg-type]
            .outerjoin(Story, Story.id == Article.story_id)  # type: ignore[arg-type]
            .order_by(Article.id)  # type: ignore[arg-type]
        )
        ids, pub, src, lab, top = [], [], [], [], []
        with engine.connect() as conn:
            self.sources = {slug: sid for sid, slug in conn.execute(select(Source.id, Source.slug))}
            result = conn.execute(stmt.execution_options(yield_per=50_000))
            for (
                aid,
                published,
                source_id,
                has_sig,
                slabel,
                stopic,
                stopics,
                tlabel,
                ttopic,
                ttopics,
            ) in result:
                ids.append(aid)
                pub.append(_epoch(published))
                src.append(source_id if source_id is not None else -1)
                if has_sig is not None:
                    label, names = slabel, [stopic, *(stopics or [])]
                else:
                    label, names = tlabel, [ttopic, *(ttopics or [])]
                lab.append(self._code(label))
                top.append(self._bits(names))
        self.ids = np.asarray(ids, dtype=np.int64)
        self.published = np.asarray(pub, dtype=np.int64)
        self.source = np.asarray(src, dtype=np.int32)
        self.label = np.asarray(lab, dtype=np.int16)
        self.topics = np.asarray(top, dtype=np.int64)
        self.loaded_at = time.monotonic()
        return self

    def _code(self, label: str | None) -> int:
        if label is None:
            return -1
        return self.labels.setdefault(label, len(self.labels))

    def _bits(self, names: list[str | None]) -> int:
        bits = 0
        for name in names:
            if name:
                if name not in self.topic_bits:
                    if len(self.topic_bits) >= 62:  # more topics than bits: filter in SQL
                        continue
                    self.topic_bits[name] = 1 << len(self.topic_bits)
                bits |= self.topic_bits[name]
        return bits

    def mask(self, filters: SearchFilters) -> np.ndarray:
        """Boolean mask over ``ids`` of the articles passing ``filters``."""
        ok = np.ones(len(self.ids), dtype=bool)
        if filters.since is not None:
            ok &= self.published >= int(filters.since.timestamp())
        if filters.until is not None:
            ok &= (self.published <= int(filters.until.timestamp())) & (self.published != NO_DATE)
        if filters.source is not None:
            ok &= self.source == self.sources.get(filters.source, -2)
        if filters.label is not None:
            ok &= self.label == self.labels.get(filters.label, -2)
        if filters.topic is not None:
            ok &= (self.topics & self.topic_bits.get(filters.topic, 0)) != 0
        return ok

    def check(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each id: (known here, passes ``mask``)."""
        if not len(self.ids):
            return np.zeros(len(ids), bool), np.zeros(len(ids), bool)
        pos = np.searchsorted(self.ids, ids)
        pos = np.minimum(pos, len(self.ids) - 1)
        known = self.ids[pos] == ids
        return known, known & mask[pos]

    def usable_for(self, filters: SearchFilters) -> bool:
        """False when a topic is beyond the bitmask (then SQL filters are used)."""
        return (
            filters.topic is None or filters.topic in self.topic_bits or len(self.topic_bits) < 62
        )


_CACHE: dict[str, ArchiveMeta] = {}
_LOCK = threading.Lock()
_RELOADING: set[str] = set()


def get_meta(engine: Engine) -> ArchiveMeta:
    """The process-wide filter arrays of this database.

    Loaded once; when older than MAX_AGE_S they are reloaded in a background thread while the
    current arrays keep serving (articles stored since the load are checked in SQL).
    """
    key = str(engine.url)
    with _LOCK:
        meta = _CACHE.get(key)
        if meta is None:
            meta = _CACHE[key] = ArchiveMeta().load(engine)
        elif time.monotonic() - meta.loaded_at > MAX_AGE_S and key not in _RELOADING:
            _RELOADING.add(key)
            threading.Thread(target=_reload, args=(engine, key), daemon=True).start()
        return meta


def _reload(engine: Engine, key: str) -> None:
    try:
        fresh = ArchiveMeta().load(engine)
        with _LOCK:
            _CACHE[key] = fresh
    finally:
        with _LOCK:
            _RELOADING.discard(key)
