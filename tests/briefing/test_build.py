"""The digest builder over real Story/Article rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.briefing.build import build_digest
from bot.config import Settings
from bot.store.db import session_scope
from bot.store.models import Digest, DigestStory
from tests.briefing.factory import EVIL_TITLE, NOW, add_source, add_story, seed_briefing

SETTINGS = Settings()


def _stories(digest: dict) -> list[dict]:
    return [s for section in digest["sections"] for s in section["stories"]]


def test_sections_in_fixed_order_off_topic_and_unclassified_left_out(engine: Engine) -> None:
    ids = seed_briefing(engine)
    digest = build_digest(engine, SETTINGS, audience="t", now=NOW)
    assert [s["topic"] for s in digest["sections"]] == [
        "models", "agents", "investment", "chips", "regulation",
    ]  # fmt: skip
    included = {s["story_id"] for s in _stories(digest)}
    assert ids["offtopic"] not in included and ids["pending"] not in included
    assert digest["stats"]["off_topic"] == 1
    assert digest["stats"]["unclassified"] == 1
    assert digest["stats"]["included"] == 5
    # every story carries the JSON contract fields
    for story in _stories(digest):
        assert {
            "story_id",
            "headline",
            "summary",
            "label",
            "subtype",
            "evidence",
            "sources",
        } <= set(story)
        assert all(set(src) == {"name", "url"} for src in story["sources"])


def test_story_fields_summary_sources_badge_evidence(engine: Engine) -> None:
    ids = seed_briefing(engine)
    digest = build_digest(engine, SETTINGS, audience="t", now=NOW)
    scribe = next(s for s in _stories(digest) if s["story_id"] == ids["scribe"])
    assert scribe["label"] == "deployment"
    assert scribe["evidence"] == ["The scribe is now used by 3,000 doctors in daily clinical work."]
    assert [s["name"] for s in scribe["sources"]] == ["Wire News", "Tech Daily"]
    assert scribe["n_outlets"] == 2
    # extractive: every summary sentence is taken verbatim from an article
    assert scribe["summary"]
    assert "rolled out an AI scribe to 3,000 doctors" in scribe["summary"]
    funding = next(s for s in _stories(digest) if s["story_id"] == ids["funding"])
    assert funding["headline"] == EVIL_TITLE  # kept verbatim; renderers escape it


def test_two_articles_from_one_outlet_count_once(engine: Engine) -> None:
    wire = add_source(engine, "wire", "Wire News")
    add_story(engine, "Chipmaker ships accelerators", topic="chips", articles=[
        {"url": "https://wire.example/a", "source_id": wire, "text": "First report on the shipment of accelerators to customers."},
        {"url": "https://www.wire.example/b", "source_id": wire, "text": "Second report on the shipment of accelerators to customers."},
    ])  # fmt: skip
    story = _stories(build_digest(engine, SETTINGS, audience="t", now=NOW))[0]
    assert story["n_outlets"] == 1 and len(story["sources"]) == 1


def test_ranking_by_importance_with_deterministic_ties(engine: Engine) -> None:
    src = add_source(engine, "s", "S")
    a = add_story(
        engine,
        "B same importance",
        importance=0.5,
        articles=[{"url": "https://s.example/1", "source_id": src, "text": "x"}],
    )
    b = add_story(
        engine,
        "A same importance",
        importance=0.5,
        articles=[{"url": "https://s.example/2", "source_id": src, "text": "y"}],
    )
    c = add_story(
        engine,
        "Top",
        importance=0.9,
        articles=[{"url": "https://s.example/3", "source_id": src, "text": "z"}],
    )
    first = build_digest(engine, SETTINGS, audience="t", now=NOW, store=False)
    second = build_digest(engine, SETTINGS, audience="t", now=NOW, store=False)
    assert [s["story_id"] for s in _stories(first)] == [c, a, b]
    assert first == second  # deterministic for the same data


def test_tally_per_section(engine: Engine) -> None:
    src = add_source(engine, "s", "S")
    for i, (label, subtype) in enumerate(
        [("deployment", None), ("hype", "announcement"), ("hype", "forecast"), ("neither", None)]
    ):
        add_story(engine, f"Story {i}", topic="agents", label=label, subtype=subtype,
                  articles=[{"url": f"https://s.example/{i}", "source_id": src, "text": "t"}])  # fmt: skip
    section = build_digest(engine, SETTINGS, audience="t", now=NOW)["sections"][0]
    assert section["tally"] == {"deployed": 1, "announced": 2, "other": 1}


def test_key_numbers_tagged_with_kind_and_source(engine: Engine) -> None:
    seed_briefing(engine)
    digest = build_digest(engine, SETTINGS, audience="t", now=NOW)
    numbers = digest["key_numbers"]
    assert 3 <= len(numbers) <= 5
    by_value = {n["value"]: n for n in numbers}
    assert by_value["€15 million"]["kind"] == "deployed"
    assert by_value["€15 million"]["source"]["name"] == "Wire News"
    assert all(
        n["kind"] in {"deployed", "announced", "forecast", "funding", "benchmark"} for n in numbers
    )
    # the disputed funding figure is not presented as a key number
    assert "$2 billion" not in by_value and "$2.5 billion" not in by_value


def test_contradiction_shows_both_values_never_averaged(engine: Engine) -> None:
    ids = seed_briefing(engine)
    digest = build_digest(engine, SETTINGS, audience="t", now=NOW)
    [item] = digest["contradictions"]
    assert item["story_id"] == ids["funding"] and item["measure"] == "funding"
    claims = {c["source"]["name"]: c["value"] for c in item["claims"]}
    assert claims == {"Wire News": "$2 billion", "Tech Daily": "$2.5 billion"}
    assert "$2.25 billion" not in str(digest)


def test_under_the_radar_is_single_source_and_important(engine: Engine) -> None:
    ids = seed_briefing(engine)
    radar = build_digest(engine, SETTINGS, audience="t", now=NOW)["under_the_radar"]
    radar_ids = [r["story_id"] for r in radar]
    # single-source stories that make a claim, most important first; analysis is left out
    assert radar_ids == [ids["model"], ids["rule"]]
    assert ids["chips_small"] not in radar_ids  # single source, but "neither" (analysis)
    assert ids["scribe"] not in radar_ids  # important but two outlets
    assert all(len(r["sources"]) == 1 for r in radar)


def test_stored_with_stories_period_continues_and_follow_up(engine: Engine) -> None:
    ids = seed_briefing(engine)
    first = build_digest(engine, SETTINGS, audience="slack", now=NOW)
    with session_scope(engine) as session:
        row = session.get(Digest, first["digest_id"])
        assert row is not None and sorted(row.story_ids) == sorted(
            s["story_id"] for s in _stories(first)
        )
        linked = session.exec(
            select(DigestStory.story_id).where(DigestStory.digest_id == row.id)
        ).all()
        assert sorted(linked) == sorted(row.story_ids)
    assert not any(s["follow_up"] for s in _stories(first))
    # nothing new: the next digest for that audience starts where the first ended and is empty
    later = NOW + timedelta(hours=6)
    assert _stories(build_digest(engine, SETTINGS, audience="slack", now=later)) == []
    # a story that gets a new article later comes back marked as a follow-up
    with session_scope(engine) as session:
        from bot.store.models import Story

        story = session.get(Story, ids["scribe"])
        assert story is not None
        story.last_seen_at = later + timedelta(hours=1)
        session.add(story)
    again = build_digest(engine, SETTINGS, audience="slack", now=later + timedelta(hours=2))
    assert [(s["story_id"], s["follow_up"]) for s in _stories(again)] == [(ids["scribe"], True)]
    # another audience has its own history: not a follow-up there
    other = build_digest(
        engine,
        SETTINGS,
        audience="email:a@example.com",
        now=later + timedelta(hours=2),
        since=NOW - timedelta(days=2),
    )
    assert not any(s["follow_up"] for s in _stories(other))


def test_topic_and_label_filters(engine: Engine) -> None:
    seed_briefing(engine)
    digest = build_digest(
        engine,
        SETTINGS,
        audience="t",
        now=NOW,
        topics=["agents", "regulation"],
        labels=["deployment"],
    )
    assert [s["topic"] for s in digest["sections"]] == ["agents", "regulation"]
    assert digest["stats"]["filtered_out"] == 3
    funding = build_digest(engine, SETTINGS, audience="u", now=NOW, labels=["funding"])
    assert [s["topic"] for s in funding["sections"]] == ["investment"]


def test_since_limits_the_period(engine: Engine) -> None:
    seed_briefing(engine, seen_at=NOW - timedelta(days=3))
    assert build_digest(engine, SETTINGS, audience="t", now=NOW)["sections"] == []
    digest = build_digest(engine, SETTINGS, audience="t", now=NOW, since=NOW - timedelta(days=4))
    assert len(digest["sections"]) == 5
    assert digest["period"]["start"] == (NOW - timedelta(days=4)).isoformat()


def test_story_classified_after_its_digest_is_not_lost(engine: Engine) -> None:
    from bot.store.models import Story

    ids = seed_briefing(engine)
    first = build_digest(engine, SETTINGS, audience="slack", now=NOW)
    assert ids["pending"] not in {s["story_id"] for s in _stories(first)}
    assert first["stats"]["unclassified"] == 1
    later = NOW + timedelta(hours=5)
    with session_scope(engine) as session:  # the signals stage classifies it afterwards
        story = session.get(Story, ids["pending"])
        assert story is not None
        story.relevant, story.primary_topic, story.label = True, "safety", "deployment"
        story.signals_at = NOW + timedelta(hours=1)
        session.add(story)
    second = build_digest(engine, SETTINGS, audience="slack", now=later)
    assert [s["story_id"] for s in _stories(second)] == [ids["pending"]]
    assert _stories(second)[0]["follow_up"] is False
    # carried once: the digest after that does not repeat it
    assert (
        _stories(build_digest(engine, SETTINGS, audience="slack", now=later + timedelta(hours=1)))
        == []
    )


def test_empty_digest_is_not_stored(engine: Engine) -> None:
    digest = build_digest(engine, SETTINGS, audience="t", now=NOW)
    assert digest["digest_id"] is None and digest["sections"] == []
    with session_scope(engine) as session:
        assert session.exec(select(Digest)).all() == []


def test_source_links_drop_tracking_parameters(engine: Engine) -> None:
    lab = add_source(engine, "lab", "Lab Blog")
    sid = add_story(
        engine,
        "Lab ships its model to every customer",
        articles=[
            {"url": "https://lab.example/post?id=4&utm_source=rss&utm_medium=feed", "source_id": lab,
             "text": "The lab's model now runs for every paying customer, it said on Monday."},
        ],
    )  # fmt: skip
    digest = build_digest(engine, SETTINGS, audience="t", now=NOW)
    story = next(s for s in _stories(digest) if s["story_id"] == sid)
    assert [src["url"] for src in story["sources"]] == ["https://lab.example/post?id=4"]
