"""Stored embeddings: model id + text hash, no recomputation, bulk re-embedding (bot/pipeline/embed.py)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.errors import ModelError
from bot.pipeline.embed import (
    HashingEmbedder,
    SentenceTransformerEmbedder,
    embed_input,
    embed_pending,
    reembed_articles,
)
from bot.pipeline.importer import import_articles
from bot.store.db import session_scope
from bot.store.models import Article, Embedding


def records(n: int) -> list[dict]:
    return [
        {"url": f"https://site{i}.example.com/a", "title": f"Story {i}", "source": f"s{i}",
         "text": f"Body number {i} about chips and models and regulation {i * 7}."}
        for i in range(n)
    ]  # fmt: skip


def stored(engine: Engine) -> dict[tuple[int, str], tuple[str, bytes]]:
    with session_scope(engine) as s:
        rows = s.execute(
            select(Embedding.article_id, Embedding.model, Embedding.text_hash, Embedding.vector)
        ).all()
    return {(a, m): (h, v) for a, m, h, v in rows}


def test_embeddings_are_stored_once_and_redone_only_for_changed_text(engine: Engine) -> None:
    import_articles(engine, records(5))
    emb = HashingEmbedder()
    assert embed_pending(engine, emb) == {"embedded": 5, "unchanged": 0}
    first = stored(engine)
    assert len(first) == 5 and all(m == "hashing-256" for _, m in first)
    vec = np.frombuffer(next(iter(first.values()))[1], dtype="<f4")
    assert vec.shape == (256,) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5

    assert embed_pending(engine, emb) == {"embedded": 0, "unchanged": 5}
    assert stored(engine) == first

    with session_scope(engine) as s:
        aid = s.scalars(select(Article.id).order_by(Article.id)).first()
        s.execute(update(Article).where(Article.id == aid).values(text="Rewritten body."))
    assert embed_pending(engine, emb)["embedded"] == 1
    after = stored(engine)
    assert after[(aid, "hashing-256")][0] != first[(aid, "hashing-256")][0]
    assert {k: v for k, v in after.items() if k[0] != aid} == {
        k: v for k, v in first.items() if k[0] != aid
    }


def test_reembed_moves_every_article_to_the_new_model(engine: Engine) -> None:
    import_articles(engine, records(4))
    embed_pending(engine, HashingEmbedder(256))
    with session_scope(engine) as s:  # clustered articles are not "pending" for clustering...
        s.execute(update(Article).values(story_id=None))
    counts = reembed_articles(engine, HashingEmbedder(64))
    assert counts == {"embedded": 4, "unchanged": 0, "removed_other_models": 4}
    assert {m for _, m in stored(engine)} == {"hashing-64"}
    assert reembed_articles(engine, HashingEmbedder(64))["embedded"] == 0


def test_embed_input_is_headline_plus_a_bounded_lead() -> None:
    huge = "word " * 250_000  # a 1 MB article
    text = embed_input("Title", huge)
    assert text.startswith("Title. word") and len(text) < 1100
    assert embed_input("Only a title", "") == "Only a title"
    assert embed_input("", "") == ""


def test_nonexistent_model_path_names_the_setting() -> None:
    with pytest.raises(ModelError, match="BRIEFING_EMBEDDING_MODEL.*does not exist"):
        SentenceTransformerEmbedder("/nonexistent/model-dir").encode(["x"])
