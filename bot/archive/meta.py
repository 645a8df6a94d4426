"""Filter columns of every article held in numpy arrays, so filters cost microseconds at scale.

Search candidates (keyword and semantic) are checked against these arrays instead of running
correlated SQL per candidate; a selective filter lists its articles straight from the arrays.
The arrays are reloaded when older than ``MAX_AGE_S``; articles stored after the load are
"unknown" and checked in SQL by the caller. Semantics match ``filters.article_conditions``:
an article's own signal decides its topic and label; the story's applies when it has none.
"""

from __future__ import annotations

import copy
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.archive.filters import SearchFilters
from bot.store.models import Article, ArticleSignal, Source, Story

MAX_AGE_S = 30.0
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
        self.read_at = datetime.now(UTC)

    def _statement(self) -> Any:
        return (
            select(
                col(Article.id),
                col(Article.published_at),
                col(Article.source_id),
                col(ArticleSignal.article_id),
                col(ArticleSignal.label),
                col(ArticleSignal.primary_topic),
                col(ArticleSignal.topics),
                col(Story.label),
                col(Story.primary_topic),
                col(Story.topics),
            )  # fmt: skip
            .outerjoin(ArticleSignal, col(ArticleSignal.article_id) == col(Article.id))
            .outerjoin(Story, col(Story.id) == col(Article.story_id))
            .order_by(col(Article.id))
        )

    def _read(self, engine: Engine, stmt: Any) -> tuple[np.ndarray, ...]:
        ids, pub, src, lab, top = [], [], [], [], []
        with engine.connect() as conn:
            # A stored source always has an id (the column is Optional only for new objects).
            self.sources = {
                slug: cast(int, sid)
                for sid, slug in conn.execute(select(col(Source.id), col(Source.slug)))
            }
            result = conn.execute(stmt.execution_options(yield_per=50_000))
            for aid, published, source_id, has_sig, slabel, stopic, stopics, tlabel, ttopic, ttopics in result:  # fmt: skip
                ids.append(aid)
                pub.append(_epoch(published))
                src.append(source_id if source_id is not None else -1)
                if has_sig is not None:
                    label, names = slabel, [stopic, *(stopics or [])]
                else:
                    label, names = tlabel, [ttopic, *(ttopics or [])]
                lab.append(self._code(label))
                top.append(self._bits(names))
        return (
            np.asarray(ids, dtype=np.int64), np.asarray(pub, dtype=np.int64),
            np.asarray(src, dtype=np.int32), np.asarray(lab, dtype=np.int16),
            np.asarray(top, dtype=np.int64),
        )  # fmt: skip

    def load(self, engine: Engine) -> ArchiveMeta:
        """Read the filter columns of all articles (one query, streamed)."""
        self.read_at = datetime.now(UTC)
        self.ids, self.published, self.source, self.label, self.topics = self._read(
            engine, self._statement()
        )
        self.loaded_at = time.monotonic()
        return self

    def refresh(self, engine: Engine) -> ArchiveMeta:
        """Read only articles added or changed since the last read (the database filters)."""
        since = self.read_at - timedelta(seconds=5)
        max_id = int(self.ids[-1]) if len(self.ids) else 0
        stmt = self._statement().where(
            or_(
                col(Article.id) > max_id,
                col(Article.updated_at) > since,
                col(Article.clustered_at) > since,
                col(ArticleSignal.computed_at) > since,
                col(Story.signals_at) > since,
                col(Story.updated_at) > since,
            )
        )
        read_at = datetime.now(UTC)
        ids, pub, src, lab, top = self._read(engine, stmt)
        old = ids <= max_id
        if old.any():
            pos = np.searchsorted(self.ids, ids[old])
            hit = self.ids[np.minimum(pos, len(self.ids) - 1)] == ids[old]
            at = pos[hit]
            for arr, new in ((self.published, pub), (self.source, src), (self.label, lab), (self.topics, top)):  # fmt: skip
                arr[at] = new[old][hit]
        fresh = ~old
        if fresh.any():
            self.ids = np.concatenate([self.ids, ids[fresh]])
            self.published = np.concatenate([self.published, pub[fresh]])
            self.source = np.concatenate([self.source, src[fresh]])
            self.label = np.concatenate([self.label, lab[fresh]])
            self.topics = np.concatenate([self.topics, top[fresh]])
        self.read_at = read_at
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
        with _LOCK:
            current = _CACHE[key]
        fresh = copy.deepcopy(current).refresh(engine)  # readers keep the old arrays meanwhile
        with _LOCK:
            _CACHE[key] = fresh
    finally:
        with _LOCK:
            _RELOADING.discard(key)
