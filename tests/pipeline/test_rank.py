"""Story importance: each term of the documented formula moves the score the right way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.pipeline.rank import StoryFacts, compute_importance, rank_stories

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def facts(**kw: object) -> StoryFacts:
    base: dict[str, object] = {
        "outlets": {1},
        "source_weights": [1.0],
        "article_times": [NOW - timedelta(hours=2)],
        "first_seen_at": NOW - timedelta(hours=2),
        "relevant": True,
        "label": "hype",
    }
    base.update(kw)
    return StoryFacts(**base)  # type: ignore[arg-type]


def test_more_distinct_outlets_rank_higher() -> None:
    one = compute_importance(facts(), NOW)
    three = compute_importance(facts(outlets={1, 2, 3}, source_weights=[1.0] * 3), NOW)
    assert three > one


def test_source_weight_recency_velocity_novelty_and_evidence() -> None:
    base = compute_importance(facts(), NOW)
    assert compute_importance(facts(source_weights=[2.0]), NOW) > base
    old = NOW - timedelta(days=3)
    assert compute_importance(facts(article_times=[old], first_seen_at=old), NOW) < base
    burst = [NOW - timedelta(minutes=m) for m in (10, 30, 50)]
    assert compute_importance(facts(article_times=burst), NOW) > base
    follow_up = compute_importance(facts(first_seen_at=NOW - timedelta(days=4)), NOW)
    assert follow_up < base
    assert compute_importance(facts(label="deployment"), NOW) > base
    assert compute_importance(facts(label="neither"), NOW) < base


def test_off_topic_sinks_to_a_tenth() -> None:
    on = compute_importance(facts(), NOW)
    off = compute_importance(facts(relevant=False), NOW)
    assert abs(off - on / 10) < 1e-3


def test_recency_half_life_is_one_day() -> None:
    fresh = facts(article_times=[NOW], first_seen_at=NOW - timedelta(days=5))
    day_old = facts(
        article_times=[NOW - timedelta(hours=24)], first_seen_at=NOW - timedelta(days=5)
    )
    # only the recency term (1.5 * 0.5 ** (age / 24h)) differs, apart from velocity (1 article now)
    diff = compute_importance(fresh, NOW) - compute_importance(day_old, NOW)
    assert abs(diff - (1.5 * 0.5 + 1.0 / 3)) < 1e-3


def test_rank_stories_orders_and_breaks_ties_by_id() -> None:
    ranked = rank_stories([(5, facts()), (2, facts()), (9, facts(outlets={1, 2}))], NOW)
    assert [sid for sid, _ in ranked] == [9, 2, 5]


def test_naive_timestamps_are_treated_as_utc() -> None:
    naive = facts(article_times=[(NOW - timedelta(hours=2)).replace(tzinfo=None)])
    assert compute_importance(naive, NOW) == compute_importance(facts(), NOW)
