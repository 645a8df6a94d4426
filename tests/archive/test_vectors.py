"""The persisted vector index: exact and HNSW search, incremental sync, reload from disk."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from bot.archive.vectors import VectorIndex
from bot.pipeline.embed import HashingEmbedder
from bot.store.db import session_scope
from bot.store.models import Article, Embedding
from tests.archive.helpers import NOW, build_archive

EMB = HashingEmbedder(256)


def test_hnsw_and_exact_agree_and_sync_is_incremental(engine, tmp_path):
    build_archive(engine, EMB)
    exact = VectorIndex(None, EMB.model_id, ann_threshold=10**9)
    ann = VectorIndex(tmp_path / "idx", EMB.model_id, ann_threshold=3)
    assert exact.sync(engine, force=True) == ann.sync(engine, force=True) == 5
    assert ann._hnsw is not None and exact._hnsw is None
    q = EMB.encode(["GPU supply for training clusters"])[0]
    assert [i for i, _ in ann.search(q, 3)] == [i for i, _ in exact.search(q, 3)]
    # a new article's embedding is added without a rebuild, and found
    with session_scope(engine) as session:
        art = Article(url="http://127.0.0.1/new", canonical_url="http://127.0.0.1/new",
                      content_hash="n", title="Quantum annealer startup", text="qubits qubits")  # fmt: skip
        session.add(art)
        session.flush()
        vec = EMB.encode(["Quantum annealer startup qubits qubits"])[0]
        session.add(Embedding(article_id=art.id, model=EMB.model_id, text_hash="n", dim=EMB.dim,
                              vector=vec.astype("<f4").tobytes(), created_at=NOW + timedelta(days=1)))  # fmt: skip
        new_id = art.id
    assert ann.sync(engine, force=True) == 6
    assert ann.search(vec, 1)[0][0] == new_id
    # a second process loads the persisted index (with its HNSW graph) instead of rebuilding
    again = VectorIndex(tmp_path / "idx", EMB.model_id, ann_threshold=3)
    assert again._hnsw is not None and len(again.ids) == 6
    assert again.search(vec, 1)[0][0] == new_id
    within = again.search_within(q, np.asarray([new_id]), 5)
    assert [i for i, _ in within] == [new_id]
