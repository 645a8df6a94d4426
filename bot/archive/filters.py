"""Archive filters (topic, label, source, date range) and their translation into SQL conditions.

Dates on the command line are either relative (``2d``, ``12h``, ``3w``, ``90m``, ``45s``: that
long before now) or absolute (``2026-01-31``, ``2026-01-31T08:00``, ISO 8601 with an offset).
A date without a time is midnight UTC; ``--until 2026-01-31`` includes that whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, cast, exists, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.types import Text
from sqlmodel import col

from bot.errors import UsageError
from bot.store.models import Article
from bot.store.models import ArticleSignal as _ArticleSignal
from bot.store.models import Source as _Source
from bot.store.models import Story as _Story
from bot.timeparse import parse_when

LABEL_ALIASES = {"deployed": "deployment", "deploy": "deployment", "announced": "hype"}


@dataclass(frozen=True)
class SearchFilters:
    """What a search or export is restricted to; ``None`` means no restriction."""

    topic: str | None = None
    label: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_options(
        cls,
        *,
        topic: str | None = None,
        label: str | None = None,
        source: str | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        now: datetime | None = None,
    ) -> SearchFilters:
        """Build filters from command-line strings (dates parsed, label aliases resolved)."""
        if isinstance(since, str):
            since = parse_when(since, flag="--since", now=now)
        if isinstance(until, str):
            until = parse_when(until, flag="--until", now=now, end=True)
        if since and until and since > until:
            raise UsageError("--since: is after --until")
        if label:
            label = LABEL_ALIASES.get(label.lower(), label.lower())
        return cls(
            topic=topic.lower() if topic else None,
            label=label or None,
            source=source or None,
            since=since,
            until=until,
        )

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return any(
            v is not None for v in (self.topic, self.label, self.source, self.since, self.until)
        )

    def describe(self) -> dict[str, Any]:
        """The filters as JSON-ready values."""
        return {
            "topic": self.topic,
            "label": self.label,
            "source": self.source,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def _json_list_contains(column: Any, value: str) -> ColumnElement[bool]:
    # JSON lists are stored as text like ["models", "chips"] on both backends.
    return cast(column, Text).like(f'%"{value}"%')


def article_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """SQL conditions on ``articles`` (correlated EXISTS for signals, stories and sources)."""
    # Aliases: the outer query may itself join these tables (export, search details).
    ArticleSignal = aliased(_ArticleSignal)  # noqa: N806
    Story = aliased(_Story)  # noqa: N806
    Source = aliased(_Source)  # noqa: N806
    conds: list[ColumnElement[bool]] = []
    if filters.since is not None:
        conds.append(col(Article.published_at) >= filters.since)
    if filters.until is not None:
        conds.append(col(Article.published_at) <= filters.until)
    if filters.source is not None:
        conds.append(
            exists(
                select(col(Source.id)).where(
                    col(Source.id) == col(Article.source_id), col(Source.slug) == filters.source
                )
            )
        )
    # An article's own signal decides; the story's aggregate applies to articles without one.
    no_signal = ~exists(
        select(col(ArticleSignal.article_id)).where(
            col(ArticleSignal.article_id) == col(Article.id)
        )
    )
    if filters.topic is not None:
        sig = exists(
            select(col(ArticleSignal.article_id)).where(
                col(ArticleSignal.article_id) == col(Article.id),
                or_(
                    col(ArticleSignal.primary_topic) == filters.topic,
                    _json_list_contains(ArticleSignal.topics, filters.topic),
                ),
            )
        )
        sto = exists(
            select(col(Story.id)).where(
                col(Story.id) == col(Article.story_id),
                or_(
                    col(Story.primary_topic) == filters.topic,
                    _json_list_contains(Story.topics, filters.topic),
                ),
            )
        )
        conds.append(or_(sig, and_(no_signal, sto)))
    if filters.label is not None:
        sig = exists(
            select(col(ArticleSignal.article_id)).where(
                col(ArticleSignal.article_id) == col(Article.id),
                col(ArticleSignal.label) == filters.label,
            )
        )
        sto = exists(
            select(col(Story.id)).where(
                col(Story.id) == col(Article.story_id), col(Story.label) == filters.label
            )
        )
        conds.append(or_(sig, and_(no_signal, sto)))
    return conds


def where_articles(filters: SearchFilters) -> ColumnElement[bool] | None:
    """All article conditions AND-ed, or None when there are none."""
    conds = article_conditions(filters)
    return and_(*conds) if conds else None
