"""Tables. Timestamps are UTC and timezone-aware (``*_at``); JSON columns hold lists and dicts.

One table per pipeline stage's output:
sources -> fetch_state -> articles -> embeddings -> stories -> signals -> digests -> deliveries.
Schema changes go through an alembic migration in ``bot/store/migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index)
    )


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


# ---------------------------------------------------------------- issue 2: crawl


class Source(SQLModel, table=True):
    """A feed from sources.yaml (or created by `briefing import` for unknown sources)."""

    __tablename__ = "sources"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True)
    name: str
    url: str
    kind: str = "rss"
    weight: float = 1.0
    tags: list[str] = _json(list)
    interval_s: int | None = None
    options: dict[str, Any] = _json(dict)
    active: bool = True
    created_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()


class FetchState(SQLModel, table=True):
    """Conditional-GET and backoff state of one source's feed."""

    __tablename__ = "fetch_state"
    source_id: int = Field(foreign_key="sources.id", primary_key=True)
    etag: str | None = None
    last_modified: str | None = None
    last_fetched_at: datetime | None = _ts()
    last_status: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    next_fetch_at: datetime | None = _ts()


class RobotsTxt(SQLModel, table=True):
    """A host's robots.txt as last fetched, reused for up to a day (RFC 9309, section 2.4)."""

    __tablename__ = "robots_txt"
    host: str = Field(primary_key=True)  # scheme://host[:port], as fetch.host_key() gives it
    status: int
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    fetched_at: datetime | None = _ts()


class Article(SQLModel, table=True):
    """One article, however often it is crawled (identity: guid, canonical URL, content hash)."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_published_at", "published_at"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    external_id: str | None = Field(default=None, index=True)  # id given to `briefing import`
    guid: str | None = Field(default=None, index=True)
    url: str
    canonical_url: str = Field(index=True)
    content_hash: str = Field(index=True)
    title: str = ""
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_source: str = "feed"  # feed | extracted | import
    author: str | None = None
    language: str | None = None
    site_name: str | None = None
    published_at: datetime | None = _ts()
    first_seen_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()
    extraction_status: str = Field(default="pending", index=True)  # pending|ok|failed|skipped
    extraction_reason: str | None = None
    extraction_attempts: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, default=0, server_default="0")
    )  # page fetches that failed; transient failures are retried up to crawl.MAX_PAGE_ATTEMPTS
    extracted_at: datetime | None = _ts()
    # issue 3: stories
    story_id: int | None = Field(default=None, foreign_key="stories.id", index=True)
    duplicate_of: int | None = Field(default=None, index=True)  # canonical article of its group
    clustered_at: datetime | None = _ts()


class Run(SQLModel, table=True):
    """One run of a stage (crawl, cluster, signals, digest); ``report`` is its run report."""

    __tablename__ = "runs"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = "crawl"
    status: str = "running"  # running | ok | failed | interrupted
    started_at: datetime | None = _ts(index=True)
    finished_at: datetime | None = _ts()
    report: dict[str, Any] = _json(dict)


# ---------------------------------------------------------------- issue 3: stories


class Embedding(SQLModel, table=True):
    """An article's embedding under one model, with the hash of the text it came from."""

    __tablename__ = "embeddings"
    article_id: int = Field(foreign_key="articles.id", primary_key=True)
    model: str = Field(primary_key=True)
    text_hash: str
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # float32 little-endian
    created_at: datetime | None = _ts()


class Story(SQLModel, table=True):
    """A cluster of articles about one event; its id persists across runs and days."""

    __tablename__ = "stories"
    id: int | None = Field(default=None, primary_key=True)
    title: str = ""
    keywords: list[str] = _json(list)
    first_seen_at: datetime | None = _ts(index=True)
    last_seen_at: datetime | None = _ts(index=True)
    n_articles: int = 0
    n_outlets: int = 0
    centroid: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # mean headline-only vector of its articles (b"": none of them has one; see pipeline.cluster)
    headline_centroid: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    model: str | None = None
    updated_at: datetime | None = _ts()
    # issue 4: story-level signals (aggregated from its articles)
    relevant: bool | None = None
    topics: list[str] = _json(list)
    primary_topic: str | None = Field(default=None, index=True)
    label: str | None = Field(default=None, index=True)  # deployment | hype | neither
    subtype: str | None = None
    confidence: float | None = None
    evidence: list[Any] = _json(list)
    importance: float | None = None
    signals_at: datetime | None = _ts()


# ---------------------------------------------------------------- issue 4: signals


class ArticleSignal(SQLModel, table=True):
    """Relevance, topics and the hype-versus-deployment label of one article."""

    __tablename__ = "article_signals"
    article_id: int = Field(foreign_key="articles.id", primary_key=True)
    relevant: bool = False
    topics: list[str] = _json(list)
    primary_topic: str | None = Field(default=None, index=True)
    label: str = "neither"
    subtype: str | None = None
    confidence: float = 0.0
    evidence: list[Any] = _json(list)
    attribution: str | None = None  # self_reported | independent | None
    text_hash: str = ""
    classifier_version: str = ""
    computed_at: datetime | None = _ts()


# ---------------------------------------------------------------- issue 5: briefing


class Subscriber(SQLModel, table=True):
    """An email subscriber and their preferences."""

    __tablename__ = "subscribers"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    topics: list[str] = _json(list)  # empty: all topics
    labels: list[str] = _json(list)  # empty: all labels
    frequency: str = "daily"  # daily | weekly
    timezone: str = "UTC"
    active: bool = True
    created_at: datetime | None = _ts()
    unsubscribed_at: datetime | None = _ts()


class Digest(SQLModel, table=True):
    """A built digest for one audience and period, with the stories it contains."""

    __tablename__ = "digests"
    id: int | None = Field(default=None, primary_key=True)
    audience: str = Field(index=True)  # e.g. "slack", "email:alice@example.com", "preview"
    period_start: datetime | None = _ts()
    period_end: datetime | None = _ts()
    created_at: datetime | None = _ts(index=True)
    content: dict[str, Any] = _json(dict)
    story_ids: list[int] = _json(list)


class DigestStory(SQLModel, table=True):
    """Which stories a digest contained (for follow-up markers)."""

    __tablename__ = "digest_stories"
    digest_id: int = Field(foreign_key="digests.id", primary_key=True)
    story_id: int = Field(foreign_key="stories.id", primary_key=True, index=True)


class Delivery(SQLModel, table=True):
    """One digest sent (or to send) to one channel or subscriber; never sent twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("digest_id", "channel", "recipient"),)
    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digests.id", index=True)
    channel: str  # slack | email
    recipient: str
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    external_id: str | None = None  # Slack ts or email Message-ID
    parts_sent: int = 0  # messages of a multi-part (Slack thread) delivery already posted
    next_attempt_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()
    created_at: datetime | None = _ts()
