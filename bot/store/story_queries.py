"""Reading stories back: the list behind `briefing stories` and one story for `briefing story ID`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.errors import UsageError
from bot.pipeline.outlets import registrable_domain
from bot.store.db import session_scope
from bot.store.models import Article, Source, Story

SORTS = ("recent", "importance", "outlets")


def _iso(ts: datetime | None) -> str | None:
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.isoformat()


def _story_dict(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "first_seen": _iso(story.first_seen_at),
        "last_seen": _iso(story.last_seen_at),
        "n_articles": story.n_articles,
        "n_outlets": story.n_outlets,
        "keywords": list(story.keywords or []),
        "primary_topic": story.primary_topic,
        "topics": list(story.topics or []),
        "label": story.label,
        "importance": story.importance,
        "articles": [],
    }


def _attach_articles(session: Any, stories: dict[int, dict[str, Any]]) -> None:
    ids = list(stories)
    for i in range(0, len(ids), 900):
        rows = session.execute(
            select(
                col(Article.id),
                col(Article.story_id),
                col(Article.url),
                col(Article.title),
                col(Article.published_at),
                col(Article.first_seen_at),
                col(Article.duplicate_of),
                col(Source.name),
            )  # fmt: skip
            .join(Source, col(Source.id) == col(Article.source_id), isouter=True)
            .where(col(Article.story_id).in_(ids[i : i + 900]))
            .order_by(func.coalesce(Article.published_at, Article.first_seen_at), col(Article.id))
        ).all()
        for aid, sid, url, title, pub, seen, dup, source in rows:
            stories[sid]["articles"].append(
                {
                    "id": aid,
                    "url": url,
                    "title": title,
                    "source": source or registrable_domain(url),
                    "published": _iso(pub or seen),
                    "duplicate_of": dup,
                }
            )


def list_stories(
    engine: Engine,
    *,
    since: datetime | None = None,
    topic: str | None = None,
    label: str | None = None,
    sort: str = "recent",
    limit: int | None = 50,
) -> list[dict[str, Any]]:
    """Stories last seen since ``since``, filtered by topic/label, each with its articles."""
    if sort not in SORTS:
        raise UsageError(f"--sort: expected one of {', '.join(SORTS)}, got {sort!r}")
    query = select(Story).where(col(Story.n_articles) > 0)
    if since is not None:
        query = query.where(col(Story.last_seen_at) >= since)
    if label is not None:
        query = query.where(col(Story.label) == label)
    order: list[Any] = []
    if sort == "importance":
        order = [col(Story.importance).is_(None), col(Story.importance).desc()]
    elif sort == "outlets":
        order = [col(Story.n_outlets).desc(), col(Story.n_articles).desc()]
    order += [col(Story.last_seen_at).desc(), col(Story.id).desc()]
    query = query.order_by(*order)
    with session_scope(engine) as session:
        if topic is None:
            rows = session.scalars(query.limit(limit) if limit else query).all()
        else:
            # topics is a JSON list: filter in Python (portable across SQLite and PostgreSQL),
            # streaming so only matching stories are kept.
            rows = []
            for story in session.scalars(query).yield_per(500):
                if story.primary_topic == topic or topic in (story.topics or []):
                    rows.append(story)
                    if limit and len(rows) >= limit:
                        break
        stories = {s.id: _story_dict(s) for s in rows}
        _attach_articles(session, stories)  # type: ignore[arg-type]
    return list(stories.values())


def get_story(engine: Engine, story_id: int) -> dict[str, Any]:
    """One story with its articles; UsageError if there is none with this id."""
    with session_scope(engine) as session:
        story = session.get(Story, story_id)
        if story is None or story.n_articles == 0:
            raise UsageError(f"no story with id {story_id}")
        out = {story_id: _story_dict(story)}
        _attach_articles(session, out)
    return out[story_id]
