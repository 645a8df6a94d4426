"""Near-duplicates: syndicated copies, wire copy and one post under several URLs become one group.

Two articles are copies when their text is identical (same content hash), or when their embeddings
are almost parallel *and* most of their word trigrams are shared: the second test keeps two
different reports of one event (similar meaning, different wording) apart, since those belong in
one story but are not copies. Each group has a canonical article (the earliest stored);
the others point at it through ``articles.duplicate_of``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE_CHARS = 3000
MIN_COSINE = 0.9
MIN_JACCARD = 0.5
MIN_TEXT = 80  # shorter texts (empty bodies, one-line teasers) are too thin to call copies
_WORD = re.compile(r"\w+")


@dataclass
class DedupItem:
    """What copy detection needs of one article."""

    article_id: int
    content_hash: str
    title: str
    text: str
    vector: np.ndarray
    canonical_id: int | None = None  # set for stored articles that are copies themselves


def shingles(title: str, text: str) -> frozenset[int]:
    """Hashed word trigrams of the headline and the start of the body."""
    words = _WORD.findall(f"{title} {text[:SHINGLE_CHARS]}".lower())
    if len(words) < 3:
        return frozenset(hash(w) for w in words)
    return frozenset(hash((a, b, c)) for a, b, c in zip(words, words[1:], words[2:], strict=False))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two shingle sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def find_duplicates(new: Sequence[DedupItem], old: Sequence[DedupItem]) -> dict[int, int]:
    """Map each new article that copies an earlier one (old, or new but earlier) to its canonical id.

    ``new`` is in processing order; an article is only ever a copy of one seen before it.
    """
    result: dict[int, int] = {}
    pool = list(old) + list(new)
    if not new:
        return result
    vecs = np.stack([it.vector for it in pool]).astype(np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vecs = vecs / norms
    n_old = len(old)
    sims = vecs[n_old:] @ vecs.T
    cache: dict[int, frozenset[int]] = {}

    def sh(idx: int) -> frozenset[int]:
        if idx not in cache:
            cache[idx] = shingles(pool[idx].title, pool[idx].text)
        return cache[idx]

    def thin(it: DedupItem) -> bool:
        return len(it.text.strip()) < MIN_TEXT

    by_hash: dict[str, int] = {}
    for idx in range(n_old):
        if not thin(pool[idx]):
            by_hash.setdefault(pool[idx].content_hash, idx)
    for k, item in enumerate(new):
        idx = n_old + k
        if thin(item):
            continue
        match = by_hash.get(item.content_hash)
        if match is None:
            for cand in np.flatnonzero(sims[k, :idx] >= MIN_COSINE):
                if not thin(pool[int(cand)]) and jaccard(sh(idx), sh(int(cand))) >= MIN_JACCARD:
                    match = int(cand)
                    break
        if match is not None:
            src = pool[match]
            canonical = result.get(src.article_id) or src.canonical_id or src.article_id
            result[item.article_id] = canonical
        by_hash.setdefault(item.content_hash, idx)
    return result
