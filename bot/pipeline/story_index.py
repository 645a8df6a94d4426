"""A file copy of older stories' centroids, so that looking for follow-ups does not query the archive.

Clustering compares new articles with every story of the last 30 days and, up to the horizon
(3 years), with the older stories close to one of them. Reading the centroids of all older
stories from the database on every run cost time in proportion to the stories inside the
horizon, i.e. to the age of the archive (``scripts/bench_stories.py`` [3]: most of the extra time
of a 200k-article archive over a 10k one). This store keeps them in two append-only files
(normalised float16 vectors and their story ids) under ``BRIEFING_HOME/index/``: each run appends
the stories that left the recent window since the last run (about a day's worth), and stories
that a run changed while already old (an old article joined or made one). A story appended again
supersedes its earlier row; the files are rewritten when a third of the rows are superseded.

The store only proposes: :func:`bot.pipeline.cluster._open_stories` loads the proposed stories
from the database and keeps those inside the horizon, with their current centroids, so a stale row
cannot decide anything. A database that is not the one the files were built from (its first story
differs) starts them again, as do files shorter than counted or an unreadable ``stories.json``.
Rows are counted in ``stories.json``, written after the rows, so a process killed mid-append
leaves only rows that are ignored. Writers take an exclusive lock.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session, col

from bot.store.models import Story
from bot.timeparse import as_utc

CHUNK = 8192  # stored rows compared per step (bounded memory for the float32 copy)


class StoryIndex:
    """Centroids of stories last seen before the recent window, searchable by cosine."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.meta: dict[str, Any] = {}

    # ------------------------------------------------------------------ files

    def _path(self, name: str) -> Path:
        return self.directory / name

    def _read_meta(self) -> dict[str, Any]:
        try:
            meta = json.loads(self._path("stories.json").read_text())
            return meta if isinstance(meta, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_meta(self) -> None:
        tmp = self._path(f"stories.json.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.meta))
        os.replace(tmp, self._path("stories.json"))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self._path("stories.lock"), "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of the counted rows, the latest row of each story only."""
        n, dim = int(self.meta.get("rows", 0)), int(self.meta.get("dim", 0))
        if not n or not dim:
            return np.zeros(0, np.int64), np.zeros((0, dim), np.float16)
        ids = np.fromfile(self._path("stories.ids"), dtype="<i8", count=n)
        vecs = np.memmap(self._path("stories.f16"), dtype="<f2", mode="r", shape=(n, dim))
        if len(ids) < n:
            raise ValueError("story index files are shorter than counted")
        # the last row of an id supersedes earlier ones
        _, last_rev = np.unique(ids[::-1], return_index=True)
        keep = np.sort(n - 1 - last_rev)
        if len(keep) == n:
            return ids, vecs
        return ids[keep], vecs[keep]

    def _files_hold_rows(self) -> bool:
        """False when the files are shorter than counted (truncated, deleted by hand)."""
        n, dim = int(self.meta.get("rows", 0)), int(self.meta.get("dim", 0))
        if not n:
            return True
        try:
            return (
                self._path("stories.ids").stat().st_size >= n * 8
                and self._path("stories.f16").stat().st_size >= n * dim * 2
            )
        except OSError:
            return False

    def _reset(self, model: str, dim: int, fingerprint: str) -> None:
        for name in ("stories.ids", "stories.f16"):
            self._path(name).unlink(missing_ok=True)
        self.meta = {"model": model, "dim": dim, "fingerprint": fingerprint, "until": None,
                     "rows": 0}  # fmt: skip
        self._write_meta()

    def _append(self, ids: Sequence[int], blobs: Sequence[bytes]) -> None:
        if not len(ids):
            return
        dim = int(self.meta["dim"])
        vecs = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(-1, dim)
        vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
        n = int(self.meta["rows"])
        with open(self._path("stories.ids"), "r+b" if n else "wb") as fh:
            fh.seek(n * 8)  # rows past the count were left by a killed process
            fh.write(np.asarray(ids, dtype="<i8").tobytes())
            fh.truncate()
        with open(self._path("stories.f16"), "r+b" if n else "wb") as fh:
            fh.seek(n * dim * 2)
            fh.write(vecs.astype("<f2").tobytes())
            fh.truncate()
        self.meta["rows"] = n + len(ids)
        self._write_meta()
        keep_ids, keep_vecs = self._rows()
        if len(keep_ids) * 3 < 2 * self.meta["rows"]:  # a third superseded: rewrite
            self._path("stories.ids").write_bytes(np.asarray(keep_ids, "<i8").tobytes())
            self._path("stories.f16").write_bytes(np.asarray(keep_vecs, "<f2").tobytes())
            self.meta["rows"] = len(keep_ids)
            self._write_meta()

    # ------------------------------------------------------------------ API

    def sync(
        self,
        session: Session,
        model: str,
        dim: int,
        recent_since: datetime,
        horizon_since: datetime,
    ) -> None:
        """Append the stories that left the recent window since the last sync."""
        first = (
            session.connection()
            .execute(
                select(col(Story.id), col(Story.first_seen_at)).order_by(col(Story.id)).limit(1)
            )
            .first()
        )
        fingerprint = f"{first[0]}@{first[1]}" if first else ""
        with self._locked():
            self.meta = self._read_meta()
            if (
                self.meta.get("model") != model
                or self.meta.get("dim") != dim
                or self.meta.get("fingerprint") != fingerprint
                or not self._files_hold_rows()
            ):
                self._reset(model, dim, fingerprint)  # new, another model, another database
            since = self.meta.get("until") or as_utc(horizon_since).isoformat()
            until = as_utc(recent_since).isoformat()
            if until <= since:
                return  # an earlier clock (older articles in the batch): nothing aged out
            rows = (
                session.connection()
                .execute(
                    select(col(Story.id), col(Story.centroid)).where(
                        col(Story.last_seen_at) >= datetime.fromisoformat(since),
                        col(Story.last_seen_at) < recent_since,
                        col(Story.model) == model,
                        func.length(Story.centroid) == dim * 4,
                    )
                )
                .fetchall()
            )
            # stored rows: ids are never NULL, and the length condition excludes NULL centroids
            self._append([cast(int, r[0]) for r in rows], [cast(bytes, r[1]) for r in rows])
            self.meta["until"] = until
            self._write_meta()

    def add(self, stories: Sequence[Story]) -> None:
        """Append stories that a run changed while they were already older than the last sync."""
        until = self.meta.get("until")
        if not until:
            return
        bound = datetime.fromisoformat(until)
        dim = int(self.meta["dim"])
        old = [
            st for st in stories
            if st.id is not None and st.centroid is not None and len(st.centroid) == dim * 4
            and st.last_seen_at is not None and as_utc(st.last_seen_at) < bound
        ]  # fmt: skip
        if old:
            with self._locked():
                self.meta = self._read_meta()
                self._append([int(st.id) for st in old], [st.centroid for st in old])  # type: ignore[arg-type, misc]

    def candidates(self, vecs: np.ndarray, min_cosine: float, limit: int) -> list[int]:
        """Ids of stored stories whose cosine with one of ``vecs`` is at least ``min_cosine``, the
        closest first (at most ``limit``)."""
        ids, stored = self._rows()
        if not len(ids) or not len(vecs):
            return []
        q = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
        q = q.astype(np.float32)
        best = np.empty(len(ids), np.float32)
        for i in range(0, len(ids), CHUNK):
            best[i : i + CHUNK] = (q @ np.asarray(stored[i : i + CHUNK], np.float32).T).max(axis=0)
        close = np.flatnonzero(best >= min_cosine)
        close = close[np.argsort(-best[close], kind="stable")[:limit]]
        return [int(i) for i in ids[close]]
