"""The semantic side of archive search: a vector index over the ``embeddings`` table.

The index is a copy of one model's vectors, persisted under ``BRIEFING_HOME/index/`` and
brought up to date incrementally: rows created since the last sync are added (a re-embedded
article replaces its vector); when rows disappeared the copy is rebuilt. Small archives are
searched exactly (numpy brute force); from ``ann_threshold`` vectors on, an HNSW graph
(hnswlib, inner product on normalised vectors) answers in well under a millisecond.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.store.models import Embedding

log = logging.getLogger(__name__)
ANN_THRESHOLD = 20_000
SYNC_EVERY_S = 30.0
FULL_CHECK_EVERY_S = 600.0


def index_dir(home: Path, database_url: str, model_id: str) -> Path:
    """Where the index of ``model_id`` for this database lives."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)[-60:]
    digest = hashlib.sha1(database_url.encode()).hexdigest()[:10]
    return home / "index" / f"{slug}-{digest}"


class VectorIndex:
    """Vectors of one embedding model, synced from the database and searchable by cosine."""

    def __init__(self, directory: Path | None, model_id: str, ann_threshold: int = ANN_THRESHOLD):
        self.directory = directory
        self.model_id = model_id
        self.ann_threshold = ann_threshold
        self.ids = np.zeros(0, dtype=np.int64)
        self.vecs = np.zeros((0, 0), dtype=np.float32)
        self.synced_count = 0
        self.synced_until: str | None = None
        self._hnsw = None
        self._order: np.ndarray | None = None
        self._sorted = np.zeros(0, dtype=np.int64)
        self._checked_at = 0.0
        self._full_checked_at = -FULL_CHECK_EVERY_S
        self.synced_max_id: int | None = None
        if directory is not None:
            self._load()

    # ------------------------------------------------------------------ persistence
    def _load(self) -> None:
        assert self.directory is not None
        meta_path = self.directory / "meta.json"
        if not meta_path.exists():
            return
        try:
            meta = json.loads(meta_path.read_text())
            self.ids = np.load(self.directory / "ids.npy")
            self.vecs = np.load(self.directory / "vectors.npy")
            self.synced_count = int(meta["count"])
            self.synced_until = meta.get("until")
            self.synced_max_id = meta.get("max_id")
            hnsw_path = self.directory / "hnsw.bin"
            if meta.get("hnsw") and hnsw_path.exists():
                self._hnsw = self._open_hnsw(hnsw_path, len(self.ids))
        except (OSError, ValueError, KeyError) as exc:  # a damaged cache is rebuilt, not fatal
            log.warning("vector index at %s unreadable (%s); rebuilding", self.directory, exc)
            self.ids = np.zeros(0, dtype=np.int64)
            self.vecs = np.zeros((0, 0), dtype=np.float32)
            self.synced_count, self.synced_until, self._hnsw = 0, None, None

    def _save(self) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, arr in (("ids.npy", self.ids), ("vectors.npy", self.vecs)):
            tmp = self.directory / f".{name}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                np.save(fh, arr)
            os.replace(tmp, self.directory / name)
        if self._hnsw is not None:
            tmp_h = self.directory / f".hnsw.{os.getpid()}.tmp"
            self._hnsw.save_index(str(tmp_h))
            os.replace(tmp_h, self.directory / "hnsw.bin")
        meta = {
            "model": self.model_id,
            "count": self.synced_count,
            "until": self.synced_until,
            "max_id": self.synced_max_id,
            "hnsw": self._hnsw is not None,
        }
        tmp_m = self.directory / f".meta.{os.getpid()}.tmp"
        tmp_m.write_text(json.dumps(meta))
        os.replace(tmp_m, self.directory / "meta.json")

    def _open_hnsw(self, path: Path, n: int):  # type: ignore[no-untyped-def]
        import hnswlib

        idx = hnswlib.Index(space="ip", dim=self.vecs.shape[1])
        idx.load_index(str(path), max_elements=max(n, 1))
        return idx

    # ------------------------------------------------------------------ syncing
    def sync(self, engine: Engine, force: bool = False) -> int:
        """Bring the index up to date with the database; returns the number of vectors."""
        now = time.monotonic()
        if not force and now - self._checked_at < SYNC_EVERY_S:
            return len(self.ids)
        self._checked_at = now
        where = col(Embedding.model) == self.model_id
        if not force and now - self._full_checked_at < FULL_CHECK_EVERY_S:
            # Cheap check (primary-key index only): new or deleted rows change count or max id.
            with engine.connect() as conn:
                count, max_id = conn.execute(
                    select(func.count(), func.max(Embedding.article_id)).where(where)
                ).one()
            if count == self.synced_count and max_id == self.synced_max_id:
                return len(self.ids)
        # Full check: also re-embedded rows (created_at scans the table; not done every time).
        self._full_checked_at = now
        with engine.connect() as conn:
            count, until, max_id = conn.execute(
                select(
                    func.count(), func.max(Embedding.created_at), func.max(Embedding.article_id)
                ).where(where)
            ).one()
        until_s = _iso(until)
        self.synced_max_id = max_id
        if count == self.synced_count and until_s == self.synced_until:
            return len(self.ids)
        if count < self.synced_count or self.synced_until is None or until_s is None:
            self._rebuild(engine)
        else:
            self._add_since(engine, self.synced_until)
            if len(self.ids) != count:
                self._rebuild(engine)
        self.synced_count, self.synced_until = int(count), until_s
        self._save()
        return len(self.ids)

    def _fetch(self, engine: Engine, since: str | None) -> tuple[np.ndarray, np.ndarray]:
        stmt = select(col(Embedding.article_id), col(Embedding.vector)).where(
            col(Embedding.model) == self.model_id
        )
        if since is not None:
            stmt = stmt.where(col(Embedding.created_at) >= datetime.fromisoformat(since))
        ids: list[int] = []
        chunks: list[bytes] = []
        with engine.connect() as conn:
            for art_id, blob in conn.execute(stmt.execution_options(yield_per=20_000)):
                ids.append(int(art_id))
                chunks.append(bytes(blob))
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        vecs = np.frombuffer(b"".join(chunks), dtype="<f4").reshape(len(ids), -1)
        return np.asarray(ids, dtype=np.int64), vecs.astype(np.float32, copy=True)

    def _rebuild(self, engine: Engine) -> None:
        self.ids, self.vecs = self._fetch(engine, None)
        self._hnsw = None
        self._order = None
        if len(self.ids) >= self.ann_threshold:
            self._build_hnsw()

    def _add_since(self, engine: Engine, since: str) -> None:
        ids, vecs = self._fetch(engine, since)
        if not len(ids):
            return
        pos = {int(i): p for p, i in enumerate(self.ids)}
        fresh = [k for k, i in enumerate(ids) if int(i) not in pos]
        for k, i in enumerate(ids):
            if int(i) in pos:
                self.vecs[pos[int(i)]] = vecs[k]
        if fresh:
            base = self.vecs if self.vecs.size else np.zeros((0, vecs.shape[1]), np.float32)
            self.ids = np.concatenate([self.ids, ids[fresh]])
            self.vecs = np.concatenate([base, vecs[fresh]])
        self._order = None
        if self._hnsw is not None:
            self._hnsw.resize_index(max(len(self.ids), self._hnsw.get_max_elements()))
            self._hnsw.add_items(vecs, ids)  # same label: the vector is replaced
        elif len(self.ids) >= self.ann_threshold:
            self._build_hnsw()

    def _build_hnsw(self) -> None:
        import hnswlib

        idx = hnswlib.Index(space="ip", dim=self.vecs.shape[1])
        idx.init_index(
            max_elements=len(self.ids), ef_construction=100, M=16, allow_replace_deleted=False
        )
        idx.add_items(self.vecs, self.ids)
        self._hnsw = idx

    # ------------------------------------------------------------------ querying
    def search(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` (article_id, cosine) pairs, nearest first."""
        n = len(self.ids)
        if n == 0 or k <= 0:
            return []
        k = min(k, n)
        q = np.asarray(qvec, dtype=np.float32).reshape(-1)
        if self._hnsw is not None and k < n:
            self._hnsw.set_ef(max(k + 10, 100))
            labels, dists = self._hnsw.knn_query(q, k=k)
            return [(int(i), float(1.0 - d)) for i, d in zip(labels[0], dists[0], strict=True)]
        scores = self.vecs @ q
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-scores[top])]
        return [(int(self.ids[i]), float(scores[i])) for i in top]

    def search_within(self, qvec: np.ndarray, allowed: Any, k: int) -> list[tuple[int, float]]:
        """Exact search restricted to ``allowed`` article ids (for selective filters)."""
        if not len(self.ids) or not len(allowed):
            return []
        if self._order is None:
            self._order = np.argsort(self.ids, kind="stable")
            self._sorted = self.ids[self._order]
        want = np.asarray(allowed, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._sorted, want), len(self._sorted) - 1)
        rows = self._order[pos[self._sorted[pos] == want]]
        if not len(rows):
            return []
        scores = self.vecs[rows] @ np.asarray(qvec, dtype=np.float32).reshape(-1)
        k = min(k, len(rows))
        best = np.argpartition(-scores, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
        best = best[np.argsort(-scores[best])]
        return [(int(self.ids[rows[i]]), float(scores[i])) for i in best]


def _iso(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.isoformat()
