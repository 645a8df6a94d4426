"""``briefing show ID``: one article or one story, with everything the archive knows about it.

Id syntax: ``123``, ``a123`` or ``article:123`` is an article; ``s123`` or ``story:123`` is a
story (the ids ``briefing search --json`` prints).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.errors import InputError, UsageError
from bot.store.models import Article, ArticleSignal, Source, Story

_ID = re.compile(r"^\s*(?:(a|article|s|story)\s*:?\s*)?#?(\d+)\s*$", re.IGNORECASE)


def parse_item_id(value: str) -> tuple[str, int]:
    """``("article", 123)`` or ``("story", 7)`` from an id string; UsageError when malformed."""
    m = _ID.match(value)
    if not m:
        raise UsageError(
            f"ID: {value!r} is not an id (use 123 or a123 for an article, s123 or story:123 for a story)"
        )
    kind = "story" if (m.group(1) or "a").lower().startswith("s") else "article"
    return kind, int(m.group(2))


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _article_record(
    art: Article, source: Source | None, sig: ArticleSignal | None
) -> dict[str, Any]:
    return {
        "id": art.id,
        "type": "article",
        "url": art.url,
        "title": art.title,
        "published": _iso(art.published_at),
        "first_seen": _iso(art.first_seen_at),
        "source": source.slug if source else None,
        "source_name": (source.name if source else None) or art.site_name,
        "author": art.author,
        "story_id": art.story_id,
        "duplicate_of": art.duplicate_of,
        "extraction_status": art.extraction_status,
        "topic": sig.primary_topic if sig else None,
        "topics": list(sig.topics) if sig else [],
        "label": sig.label if sig else None,
        "subtype": sig.subtype if sig else None,
        "confidence": sig.confidence if sig else None,
        "evidence": list(sig.evidence) if sig else [],
        "attribution": sig.attribution if sig else None,
        "summary": art.summary,
        "text": art.text,
    }


def show_item(engine: Engine, item_id: str) -> dict[str, Any]:
    """The record of an article or a story by id; InputError when it does not exist."""
    kind, num = parse_item_id(item_id)
    with Session(engine) as session:
        if kind == "article":
            row = session.execute(
                select(Article, Source, ArticleSignal)
                .outerjoin(Source, col(Source.id) == col(Article.source_id))
                .outerjoin(ArticleSignal, col(ArticleSignal.article_id) == col(Article.id))
                .where(col(Article.id) == num)
            ).first()
            if row is None:
                raise InputError(f"no article with id {num}")
            return _article_record(*row)
        story = session.get(Story, num)
        if story is None:
            raise InputError(f"no story with id {num} (story ids look like s{num})")
        rows = session.execute(
            select(Article, Source, ArticleSignal)
            .outerjoin(Source, col(Source.id) == col(Article.source_id))
            .outerjoin(ArticleSignal, col(ArticleSignal.article_id) == col(Article.id))
            .where(col(Article.story_id) == num)
            .order_by(col(Article.published_at), col(Article.id))
        ).all()
        articles = []
        for art, src, sig in rows:
            rec = _article_record(art, src, sig)
            rec.pop("text")
            articles.append(rec)
        return {
            "id": f"s{story.id}",
            "story_id": story.id,
            "type": "story",
            "title": story.title,
            "keywords": list(story.keywords),
            "first_seen": _iso(story.first_seen_at),
            "last_seen": _iso(story.last_seen_at),
            "n_articles": story.n_articles,
            "n_outlets": story.n_outlets,
            "topic": story.primary_topic,
            "topics": list(story.topics),
            "label": story.label,
            "subtype": story.subtype,
            "confidence": story.confidence,
            "evidence": list(story.evidence),
            "importance": story.importance,
            "articles": articles,
        }
