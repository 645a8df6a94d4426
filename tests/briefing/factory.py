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


EVIL_TITLE = "<!channel> & <script>alert(1)</script> Acme raises $2 billion"


def seed_briefing(engine: Engine, *, seen_at: datetime | None = None) -> dict[str, int]:
    """A small, varied period of stories: several topics, every label, an off-topic story, an
    unclassified one, a single-source important story, and outlets disagreeing on a figure."""
    wire = add_source(engine, "wire", "Wire News")
    lab = add_source(engine, "lab", "Lab Blog")
    daily = add_source(engine, "daily", "Tech Daily")
    ids: dict[str, int] = {}
    ids["funding"] = add_story(
        engine, EVIL_TITLE, topic="investment", label="hype", subtype="funding", importance=0.95,
        evidence=["Acme said it raised $2 billion in a funding round."], seen_at=seen_at,
        articles=[
            {"url": "https://wire.example/acme", "source_id": wire, "title": "Acme funding",
             "text": "Acme said on Monday it raised $2 billion in a funding round led by large "
                     "investors. The company plans to build accelerators for data centres."},
            {"url": "https://daily.example/acme", "source_id": daily, "title": "Acme's big round",
             "text": "Acme raised $2.5 billion in a new funding round, according to people "
                     "familiar with the matter. The round values the startup at $20 billion."},
        ],
    )  # fmt: skip
    ids["scribe"] = add_story(
        engine, "Hospital network rolls out AI scribe to 3,000 doctors", topic="agents",
        label="deployment", importance=0.8, seen_at=seen_at,
        evidence=["The scribe is now used by 3,000 doctors in daily clinical work."],
        articles=[
            {"url": "https://wire.example/scribe", "source_id": wire,
             "text": "A hospital network has rolled out an AI scribe to 3,000 doctors across "
                     "its clinics this month. Doctors saved 20% of their documentation time, "
                     "the network said in a statement."},
            {"url": "https://daily.example/scribe", "source_id": daily,
             "text": "An AI scribe is now in daily use by 3,000 doctors at the hospital "
                     "network, which said documentation time fell by a fifth."},
        ],
    )  # fmt: skip
    ids["model"] = add_story(
        engine, "Lab unveils a new open-weights model in preview", topic="models", label="hype",
        subtype="announcement", importance=0.7, seen_at=seen_at,
        articles=[
            {"url": "https://lab.example/model", "source_id": lab,
             "text": "The lab unveiled a new open-weights model that is available in preview "
                     "to a waitlist of developers. General availability is slated for next "
                     "year, the lab said in its announcement."},
        ],
    )  # fmt: skip
    ids["rule"] = add_story(
        engine, "Regulator fines chatbot maker for data breach", topic="regulation",
        label="deployment", importance=0.6, seen_at=seen_at,
        articles=[
            {"url": "https://wire.example/fine", "source_id": wire,
             "text": "The data protection regulator fined the chatbot maker €15 million for "
                     "a data breach that exposed user conversations. The fine is final."},
        ],
    )  # fmt: skip
    ids["chips_small"] = add_story(
        engine, "Minor chip packaging update", topic="chips", label="neither", importance=0.1,
        seen_at=seen_at,
        articles=[{"url": "https://daily.example/pack", "source_id": daily,
                   "text": "An analysis of how chip packaging has changed over the past decade "
                           "and what it could mean for accelerators."}],
    )  # fmt: skip
    ids["offtopic"] = add_story(
        engine, "Ten shopping tips for the holidays", topic=None, relevant=False, label="neither",
        importance=0.9, seen_at=seen_at,
        articles=[{"url": "https://daily.example/shop", "source_id": daily,
                   "text": "Shoppers can use an AI feature to compare prices this season."}],
    )  # fmt: skip
    ids["pending"] = add_story(
        engine, "Story waiting for signals", topic=None, relevant=None, label=None,
        importance=None, seen_at=seen_at,
        articles=[{"url": "https://wire.example/wait", "source_id": wire, "text": "Not yet classified."}],
    )  # fmt: skip
    return ids
