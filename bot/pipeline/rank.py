"""Story importance: how much a story deserves a reader's attention now.

The formula (all parts in [0, 1] except the outlet term)::

    importance = relevance * (1.0 * log2(1 + outlets)       # distinct outlets covering it
                              + 0.5 * source_weight          # mean weight of those outlets (sources.yaml)
                              + 1.5 * recency                # 0.5 ** (hours since last article / 24)
                              + 1.0 * velocity               # min(1, articles in the last 6 h / 3)
                              + 0.5 * novelty                # 1 new story, 0.3 follow-up (first seen > 36 h ago)
                              + 0.3 * evidence)              # deployment 1, hype 0.5, neither 0

``relevance`` is 1 for AI-industry stories and 0.1 for off-topic ones, so those sink but stay
searchable. Source weights default to 1.0 and are capped at 3. Scores are rounded to 4 decimals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.timeparse import as_utc as _aware

HALF_LIFE_H = 24.0
VELOCITY_WINDOW = timedelta(hours=6)
FOLLOW_UP_AFTER = timedelta(hours=36)
EVIDENCE_BONUS = {"deployment": 1.0, "hype": 0.5, "neither": 0.0}


@dataclass
class StoryFacts:
    """What importance is computed from, gathered from a story and its articles."""

    outlets: set[int | str] = field(default_factory=set)
    source_weights: list[float] = field(default_factory=list)
    article_times: list[datetime] = field(default_factory=list)
    first_seen_at: datetime | None = None
    relevant: bool = True
    label: str | None = None


def compute_importance(facts: StoryFacts, now: datetime | None = None) -> float:
    """The importance score of one story (see the module docstring for the formula)."""
    now = _aware(now or datetime.now(UTC))
    times = [_aware(t) for t in facts.article_times if t is not None]
    n_outlets = max(len(facts.outlets), 1)
    weights = [min(max(w, 0.0), 3.0) for w in facts.source_weights] or [1.0]
    source_weight = sum(weights) / len(weights)
    last = max(times) if times else now
    age_h = max((now - last).total_seconds() / 3600.0, 0.0)
    recency = 0.5 ** (age_h / HALF_LIFE_H)
    recent = sum(1 for t in times if timedelta(0) <= now - t <= VELOCITY_WINDOW)
    velocity = min(1.0, recent / 3.0)
    first = _aware(facts.first_seen_at) if facts.first_seen_at else (min(times) if times else now)
    novelty = 1.0 if now - first <= FOLLOW_UP_AFTER else 0.3
    evidence = EVIDENCE_BONUS.get(facts.label or "neither", 0.0)
    raw = (
        1.0 * math.log2(1 + n_outlets)
        + 0.5 * source_weight
        + 1.5 * recency
        + 1.0 * velocity
        + 0.5 * novelty
        + 0.3 * evidence
    )
    return round((1.0 if facts.relevant else 0.1) * raw, 4)


def rank_stories(
    items: Iterable[tuple[int, StoryFacts]], now: datetime | None = None
) -> list[tuple[int, float]]:
    """(story id, importance) pairs, most important first; ties broken by story id."""
    scored = [(sid, compute_importance(f, now)) for sid, f in items]
    return sorted(scored, key=lambda p: (-p[1], p[0]))
