"""Test data for the briefing: Source, Story and Article rows written directly.

Stories and signals are produced by other stages; these rows are the *input* of the digest
builder, written the way those stages write them (not a mock of any of our code). The texts
are written for these tests by the project's authors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.store.db import session_scope
from bot.store.models import Article, Source, Story

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def add_source(engine: Engine, slug: str, name: str, url: str | None = None) -> int:
    """A Source row; returns its id."""
    with session_scope(engine) as session:
        src = Source(slug=slug, name=name, url=url or f"https://{slug}.example/feed.xml")
        session.add(src)
        session.flush()
        return src.id or 0


def add_story(
    engine: Engine,
    title: str,
    *,
    articles: Sequence[dict[str, Any]],
    topic: str | None = "models",
    label: str | None = "deployment",
    subtype: str | None = None,
    relevant: bool | None = True,
    importance: float | None = 0.5,
    evidence: list[Any] | None = None,
    seen_at: datetime | None = None,
    topics: list[str] | None = None,
) -> int:
    """A classified Story and its articles (dicts: url, title, text, source_id, published_at)."""
    seen = seen_at or NOW - timedelta(hours=3)
    with session_scope(engine) as session:
        story = Story(
            title=title,
            first_seen_at=seen - timedelta(hours=1),
            last_seen_at=seen,
            n_articles=len(articles),
            n_outlets=len({a.get("source_id") for a in articles}),
            relevant=relevant,
            topics=topics if topics is not None else ([topic] if topic else []),
            primary_topic=topic,
            label=label,
            subtype=subtype,
            confidence=0.8 if label else None,
            evidence=evidence if evidence is not None else [],
            importance=importance,
            updated_at=seen,
            signals_at=seen if relevant is not None else None,
        )
        session.add(story)
        session.flush()
        for i, spec in enumerate(articles):
            url = spec["url"]
            session.add(
                Article(
                    source_id=spec.get("source_id"),
                    url=url,
                    canonical_url=url,
                    content_hash=f"h-{story.id}-{i}-{url}",
                    title=spec.get("title", title),
                    summary=spec.get("summary", ""),
                    text=spec.get("text", ""),
                    published_at=spec.get("published_at", seen - timedelta(minutes=30 - i)),
                    first_seen_at=seen,
                    story_id=story.id,
                    duplicate_of=spec.get("duplicate_of"),
                )
            )
        return story.id or 0
