"""Builds small archives for archive tests: articles, sources, signals, stories and embeddings."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.pipeline.embed import Embedder, HashingEmbedder
from bot.store.db import session_scope
from bot.store.models import Article, ArticleSignal, Embedding, Source, Story

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# Text written for these tests (no third-party content).
DOCS: list[dict[str, Any]] = [
    {
        "title": "Nvidia GPU supply remains tight as hyperscalers expand data centres",
        "text": "Cloud providers report that GPU supply for training clusters is still constrained; "
        "lead times for H200 accelerators stretched to 30 weeks.",
        "source": "chipwire",
        "topic": "chips",
        "label": "deployment",
        "days": 3,
        "story": "gpu",
    },
    {
        "title": "TSMC says advanced packaging capacity will double by 2027",
        "text": "The foundry expects CoWoS packaging capacity, the bottleneck for GPU supply, "
        "to double by 2027 according to its forecast.",
        "source": "chipwire",
        "topic": "chips",
        "label": "hype",
        "days": 10,
        "story": "gpu",
    },
    {
        "title": "Bank rolls out coding assistant to 12,000 developers",
        "text": "The bank said its coding agent now runs in production for 12,000 engineers and cut "
        "review time by 20 percent.",
        "source": "finnews",
        "topic": "agents",
        "label": "deployment",
        "days": 1,
        "story": "bank",
    },
    {
        "title": "EU AI Act obligations for general-purpose models take effect",
        "text": "Obligations for providers of general-purpose AI models apply from August; the "
        "regulator has begun enforcement.",
        "source": "policyhub",
        "topic": "regulation",
        "label": "deployment",
        "days": 40,
        "story": "eu",
    },
    {
        "title": 'Startup raises $200 million for AI chips "NEAR" memory',
        "text": "A chip startup raised $200 million to build near-memory compute accelerators, "
        "claiming up to 10x efficiency on benchmarks.",
        "source": "finnews",
        "topic": "investment",
        "label": "hype",
        "days": 5,
        "story": None,
    },
]


def build_archive(engine: Engine, embedder: Embedder | None = None) -> dict[str, int]:
    """Store DOCS (with sources, stories, signals and embeddings); returns ids by title prefix."""
    embedder = embedder or HashingEmbedder(256)
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        sources = {}
        for slug in sorted({d["source"] for d in DOCS}):
            src = Source(slug=slug, name=slug.title(), url=f"http://127.0.0.1/{slug}.xml")
            session.add(src)
            sources[slug] = src
        stories = {}
        for key in sorted({d["story"] for d in DOCS if d["story"]}):
            doc = next(d for d in DOCS if d["story"] == key)
            st = Story(
                title=doc["title"],
                primary_topic=doc["topic"],
                topics=[doc["topic"]],
                label=doc["label"],
                n_articles=0,
                first_seen_at=NOW,
                last_seen_at=NOW,
            )
            session.add(st)
            stories[key] = st
        session.flush()
        for d in DOCS:
            pub = NOW - timedelta(days=d["days"])
            art = Article(
                source_id=sources[d["source"]].id,
                url=f"http://127.0.0.1/a/{len(ids)}",
                canonical_url=f"http://127.0.0.1/a/{len(ids)}",
                content_hash=hashlib.sha1(d["text"].encode()).hexdigest(),
                title=d["title"],
                text=d["text"],
                published_at=pub,
                first_seen_at=pub,
                story_id=stories[d["story"]].id if d["story"] else None,
            )
            session.add(art)
            session.flush()
            if d["story"]:
                stories[d["story"]].n_articles += 1
            session.add(
                ArticleSignal(
                    article_id=art.id,
                    relevant=True,
                    topics=[d["topic"]],
                    primary_topic=d["topic"],
                    label=d["label"],
                )
            )
            vec = embedder.encode([d["title"] + "\n" + d["text"]])[0]
            session.add(
                Embedding(
                    article_id=art.id,
                    model=embedder.model_id,
                    text_hash="x",
                    dim=embedder.dim,
                    vector=vec.astype("<f4").tobytes(),
                    created_at=pub,
                )
            )
            ids[d["title"].split()[0]] = art.id
    return ids
