"""Story clustering with stable ids (bot/pipeline/cluster.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.pipeline.cluster import ClusterConfig, cluster_pending
from bot.pipeline.embed import HashingEmbedder
from bot.pipeline.importer import import_articles
from bot.store.db import session_scope
from bot.store.models import Article, Embedding, Run, Story

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "stories" / "articles.jsonl"
EMB = HashingEmbedder()

CHIP = (
    "Quanta Chips unveiled the Q9 accelerator with 288GB HBM memory for AI data centres in Austin"
)
FINE = (
    "Brightwater council fined DataNest 2.1 million dollars for facial recognition without consent"
)
CUP = "Harbor City FC won the national football cup on penalties against Riverside United on Sunday"


def rec(n: int, base: str, day: str, extra: str = "", source: str | None = None) -> dict:
    return {
        "id": f"r{n}", "url": f"https://www.outlet{n}.test/story/{n}", "title": base[:60],
        "text": f"{base}. {extra}", "published": f"{day}T10:00:00Z", "source": source or f"outlet{n}",
    }  # fmt: skip


def stories_of(engine: Engine) -> dict[str, int | None]:
    with session_scope(engine) as s:
        return dict(s.execute(select(Article.external_id, Article.story_id)).all())


def story_rows(engine: Engine) -> list[tuple]:
    with session_scope(engine) as s:
        rows = s.scalars(select(Story).order_by(Story.id)).all()
        return [(r.id, r.title, r.n_articles, r.n_outlets, r.first_seen_at, r.last_seen_at,
                 r.centroid, tuple(r.keywords)) for r in rows]  # fmt: skip


def test_events_become_stories_and_singletons_are_kept(engine: Engine, settings: Settings) -> None:
    import_articles(engine, [
        rec(1, CHIP, "2026-11-12"), rec(2, CHIP, "2026-11-12", "Shipments in 2027."),
        rec(3, CHIP, "2026-11-13", "Prices were not disclosed."),
        rec(4, FINE, "2026-11-12"), rec(5, FINE, "2026-11-12", "DataNest will appeal."),
        rec(6, CUP, "2026-11-12"),
    ])  # fmt: skip
    report = cluster_pending(engine, settings, embedder=EMB)
    assert report["totals"]["articles"] == 6 and report["totals"]["new_stories"] == 3
    got = stories_of(engine)
    assert got["r1"] == got["r2"] == got["r3"]
    assert got["r4"] == got["r5"] != got["r1"]
    assert got["r6"] not in {got["r1"], got["r4"]}  # the singleton is a story of its own
    with session_scope(engine) as s:
        chip = s.get(Story, got["r1"])
        assert chip is not None
        assert (chip.n_articles, chip.n_outlets) == (3, 3)
        assert chip.title.startswith("Quanta Chips") and "quanta" in chip.keywords
        assert chip.first_seen_at < chip.last_seen_at and len(chip.centroid or b"") == 256 * 4
        run = s.scalars(select(Run).where(Run.kind == "cluster")).one()
        assert run.status == "ok" and run.report["totals"]["new_stories"] == 3


def test_rerun_with_nothing_new_changes_nothing(engine: Engine, settings: Settings) -> None:
    import_articles(engine, [rec(1, CHIP, "2026-11-12"), rec(2, FINE, "2026-11-12")])
    cluster_pending(engine, settings, embedder=EMB)
    before = story_rows(engine)
    report = cluster_pending(engine, settings, embedder=EMB)
    assert report["totals"]["articles"] == 0 and report["totals"]["embedded"] == 0
    assert story_rows(engine) == before


def test_follow_up_within_horizon_keeps_the_story_id(engine: Engine, settings: Settings) -> None:
    import_articles(engine, [rec(1, CHIP, "2026-11-01"), rec(2, CHIP, "2026-11-01", "More.")])
    cluster_pending(engine, settings, embedder=EMB)
    first = stories_of(engine)["r1"]
    import_articles(engine, [rec(3, CHIP, "2026-11-20", "Follow-up: first units shipped.")])
    report = cluster_pending(engine, settings, embedder=EMB)
    assert report["totals"]["attached"] == 1 and stories_of(engine)["r3"] == first
    # beyond the horizon the same words start a new story
    cfg = dataclasses.replace(ClusterConfig(), horizon_s=7 * 86400)
    import_articles(engine, [rec(4, CHIP, "2027-03-01", "A year on.")])
    cluster_pending(engine, settings, embedder=EMB, config=cfg)
    assert stories_of(engine)["r4"] != first
    with session_scope(engine) as s:
        story = s.get(Story, first)
        assert story is not None and story.n_articles == 3


def test_the_evidence_needed_to_attach_grows_with_the_time_gap(
    engine: Engine, settings: Settings
) -> None:
    import_articles(engine, [rec(1, CHIP, "2026-01-05"), rec(2, CHIP, "2026-01-05", "More.")])
    cluster_pending(engine, settings, embedder=EMB)
    first = stories_of(engine)["r1"]
    # eight months on, a near-verbatim follow-up still clears the raised bar and keeps the id ...
    import_articles(engine, [rec(3, CHIP, "2026-09-01", "Item 3.")])
    cluster_pending(engine, settings, embedder=EMB)
    assert stories_of(engine)["r3"] == first


def test_a_strong_follow_up_links_more_than_a_year_later(
    engine: Engine, settings: Settings
) -> None:
    # the horizon is a cost cap, not the rule: twenty months on, a near-verbatim report still
    # clears the time penalty (4 + 0.5 * ln(1 + 600 / 7) = 6.2 sd) and keeps the story id
    import_articles(engine, [rec(1, CHIP, "2025-01-05"), rec(2, CHIP, "2025-01-05", "More.")])
    cluster_pending(engine, settings, embedder=EMB)
    import_articles(engine, [rec(3, CHIP, "2026-08-28", "Item 3.")])
    cluster_pending(engine, settings, embedder=EMB)
    got = stories_of(engine)
    assert got["r3"] == got["r1"]


@pytest.mark.parametrize(("day", "joins"), [("2026-01-12", True), ("2026-12-20", False)])
def test_a_weaker_match_links_a_week_later_but_not_a_year_later(
    tmp_path: Path, day: str, joins: bool
) -> None:
    from bot.store.db import open_engine

    url = f"sqlite:///{tmp_path}/t.db"
    engine = open_engine(url)
    settings = Settings.from_env({"BRIEFING_DATABASE_URL": url, "BRIEFING_HOME": str(tmp_path)})
    import_articles(engine, [rec(1, CHIP, "2026-01-05"), rec(2, CHIP, "2026-01-05", "More.")])
    cluster_pending(engine, settings, embedder=EMB)
    weak = "The Q9 accelerator from Quanta was reviewed by testers who liked the memory"
    import_articles(engine, [rec(3, weak, day, "Item 3.")])
    cluster_pending(engine, settings, embedder=EMB)
    got = stories_of(engine)
    engine.dispose()
    assert (got["r3"] == got["r1"]) is joins


def test_hdbscan_clusterer_keeps_ids_and_singletons(engine: Engine, settings: Settings) -> None:
    cfg = dataclasses.replace(ClusterConfig(), clusterer="hdbscan")
    import_articles(engine, [
        rec(1, CHIP, "2026-11-12"), rec(2, CHIP, "2026-11-12", "Shipments in 2027."),
        rec(4, FINE, "2026-11-12"), rec(5, FINE, "2026-11-12", "DataNest will appeal."),
        rec(6, CUP, "2026-11-12"),
    ])  # fmt: skip
    cluster_pending(engine, settings, embedder=EMB, config=cfg)
    got = stories_of(engine)
    assert got["r1"] == got["r2"] and got["r4"] == got["r5"] != got["r1"]
    assert got["r6"] not in {got["r1"], got["r4"]}
    import_articles(engine, [rec(3, CHIP, "2026-11-13", "Prices were not disclosed.")])
    report = cluster_pending(engine, settings, embedder=EMB, config=cfg)
    assert report["totals"]["attached"] == 1 and stories_of(engine)["r3"] == got["r1"]


def test_identical_texts_from_two_sources_are_one_group(engine: Engine, settings: Settings) -> None:
    # Same wire text under two outlets' own headlines (byte-identical title and text are
    # already one article under the importer's identity rules).
    wire = CHIP + ". The company said volume production starts in 2027, and did not give prices."
    first, second = rec(1, wire, "2026-11-12"), rec(2, wire, "2026-11-12")
    second["title"] = "Quanta unveils Q9"
    import_articles(engine, [first, second, rec(3, CUP, "2026-11-12")])
    report = cluster_pending(engine, settings, embedder=EMB)
    assert report["totals"]["duplicates"] == 1
    with session_scope(engine) as s:
        a1, a2 = s.scalars(
            select(Article).where(Article.external_id.in_(["r1", "r2"])).order_by(Article.id)
        ).all()  # type: ignore[union-attr]
        assert a2.duplicate_of == a1.id and a1.duplicate_of is None and a1.story_id == a2.story_id
        story = s.get(Story, a1.story_id)
        assert story is not None and (story.n_articles, story.n_outlets) == (2, 2)


def test_bad_input_still_gets_stories(engine: Engine, settings: Settings) -> None:
    import_articles(engine, [
        {"url": "https://a.example.com/1", "title": "Only a headline", "text": ""},
        {"url": "https://b.example.com/2", "title": "Künstliche Intelligenz",
         "text": "Die Bundesregierung hat heute ein neues Gesetz über künstliche Intelligenz beschlossen."},
        {"url": "https://c.example.com/3", "title": "Huge", "text": "token " * 200_000},
        {"url": "https://d.example.com/4", "title": "人工智能", "text": "新的人工智能模型今天发布。"},
    ])  # fmt: skip
    report = cluster_pending(engine, settings, embedder=EMB)
    assert report["totals"]["articles"] == 4
    assert all(sid is not None for sid in stories_of(engine).values())


def test_a_crash_mid_run_loses_nothing_and_the_rerun_finishes(sqlite_url: str) -> None:
    from bot.store.db import open_engine

    engine = open_engine(sqlite_url)
    home = os.environ["BRIEFING_HOME"]  # the test's own (tests/conftest.py), not ./storage
    settings = Settings.from_env({"BRIEFING_DATABASE_URL": sqlite_url, "BRIEFING_HOME": home})
    days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    import_articles(engine, [rec(10 * d + k, base, day, f"update {d}")
                             for d, day in enumerate(days) for k, base in enumerate([CHIP, FINE, CUP])])  # fmt: skip
    cfg = dataclasses.replace(ClusterConfig(), batch_size=3)
    with engine.begin() as conn:  # a real database failure while the second batch is written
        conn.execute(text(
            "CREATE TRIGGER fail_second_batch BEFORE UPDATE OF story_id ON articles "
            "WHEN new.external_id = 'r11' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        ))  # fmt: skip
    with pytest.raises(SQLAlchemyError, match="disk full"):
        cluster_pending(engine, settings, embedder=EMB, config=cfg)
    after_crash = stories_of(engine)
    assert sum(v is not None for v in after_crash.values()) == 3  # first batch kept whole
    assert all(after_crash[f"r{k}"] is None for k in (10, 11, 12))  # second batch rolled back
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER fail_second_batch"))
    cluster_pending(engine, settings, embedder=EMB, config=cfg)
    final = stories_of(engine)
    assert all(final[k] == v for k, v in after_crash.items() if v is not None)
    assert all(v is not None for v in final.values())
    assert final["r0"] == final["r10"] == final["r20"]  # one chip story, not split
    with session_scope(engine) as s:
        for story in s.scalars(select(Story)).all():
            members = s.scalars(select(Article.id).where(Article.story_id == story.id)).all()
            assert story.n_articles == len(members) > 0
    engine.dispose()


def _load_eval():
    spec = importlib.util.spec_from_file_location(
        "eval_clustering", ROOT / "scripts" / "eval_clustering.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eval_error_lines_show_each_piece_of_a_split_and_a_merge() -> None:
    ev = _load_eval()

    def rec(i: int, gold: str, day: str | None, title: str) -> dict:
        return {"id": str(i), "gold": gold, "published": day, "title": title}

    records = [
        rec(1, "a", "2026-01-02", "Alpha one"),
        rec(2, "a", "2026-01-01", "Alpha two"),
        rec(3, "a", None, "Alpha late"),
        rec(4, "b", "2026-01-03", "Beta"),
    ]
    lines = ev.error_lines(records, ["s1", "s1", "s2", "s2"])
    assert lines[0] == "split  a: 2 stories"
    assert lines[1] == "    s1 (+0 of other events) n=2 2026-01-01..2026-01-02 | Alpha two"
    assert lines[2] == "    s2 (+1 of other events) n=1 undated..undated | Alpha late"
    assert lines[3] == "merged s2: ['a', 'b']"
    assert sorted(lines[4:]) == [
        "    a n=1 undated..undated | Alpha late",
        "    b n=1 2026-01-03..2026-01-03 | Beta",
    ]


@pytest.mark.slow
def test_quality_floor_on_committed_fixture_with_the_real_model(sqlite_url: str) -> None:
    """Replays tests/fixtures/stories through the crawler's path with all-MiniLM-L6-v2."""
    ev = _load_eval()
    records = ev.load_records(FIXTURE)
    story = ev.replay(records, sqlite_url)
    pred = [story[r["id"]] for r in records]
    _, _, f1 = ev.bcubed(pred, [r["gold"] for r in records])
    gold = {r["id"]: r["gold"] for r in records}
    helix = {story[i] for i, g in gold.items() if g == "helix_layoffs"}
    marlow = {story[i] for i, g in gold.items() if g == "marlow_layoffs"}
    assert not helix & marlow, "two different layoffs in one week must be two stories"
    assert f1 >= FLOOR, f"BCubed F1 {f1:.3f} fell below the pinned floor {FLOOR}"


# Measured 1.000 on 2026-11-22 with the shipped config (threshold 3.5 sd, 30-day horizon), and
def test_an_undated_page_first_seen_a_year_later_still_joins_its_story(
    engine: Engine, settings: Settings
) -> None:
    # the weaker match above does not link when dated a year later; undated, first seen a year
    # later, it may have been published any time before that, so no gap is held against it
    from datetime import UTC, datetime

    from sqlalchemy import update

    import_articles(engine, [rec(1, CHIP, "2026-01-05"), rec(2, CHIP, "2026-01-05", "More.")])
    cluster_pending(engine, settings, embedder=EMB)
    weak = "The Q9 accelerator from Quanta was reviewed by testers who liked the memory"
    undated = {**rec(3, weak, "2026-12-20", "Item 3."), "published": None}
    import_articles(engine, [undated])
    with session_scope(engine) as s:
        s.execute(
            update(Article)
            .where(Article.external_id == "r3")  # type: ignore[arg-type]
            .values(first_seen_at=datetime(2026, 12, 20, 10, tzinfo=UTC))
        )
    cluster_pending(engine, settings, embedder=EMB)
    got = stories_of(engine)
    assert got["r3"] == got["r1"]
    with session_scope(engine) as s:
        art = s.scalars(select(Article).where(Article.external_id == "r3")).one()
        assert art.published_at is None


PROFILE = (
    "Mara Okafor grew up repairing radios in her grandmother's shop in Lagos before she studied "
    "physics in Leeds. Colleagues describe a patient manager who keeps a notebook of every "
    "failed experiment, cycles to work in any weather and plays the cello on weekends. She "
    "joined the company eleven years ago as a junior test engineer and now leads a team of "
    "ninety people spread over three sites, where she is known for long walks with new hires. "
    "Friends from university remember late nights in the library, a bicycle with a basket full "
    "of spare parts and a habit of fixing the neighbours' kettles, toasters and lamps for free. "
    "Her mother still keeps the first radio she rebuilt, a brown wooden set from the sixties, "
    "beside postcards from Porto, Nairobi, Helsinki, Osaka, Quito, Tromso, Accra and Perth."
)


SPECS = (
    "The part pairs twelve compute dies with eight memory stacks on a silicon interposer, draws "
    "seven hundred watts, and ships in liquid-cooled trays of sixteen units. Samples go to cloud "
    "providers this quarter; volume production follows at the Austin plant early next year, "
    "the company said, with a software kit that ports existing training code in a few days."
)


@pytest.mark.parametrize(("discount", "joins"), [(1.0, True), (1e9, False)])
def test_a_feature_piece_joins_the_story_its_headline_names(
    engine: Engine, settings: Settings, discount: float, joins: bool
) -> None:
    # a profile published beside the launch opens far from it; its headline names the launch
    words = [
        "Rain",
        "closed",
        "seven",
        "ferry",
        "routes",
        "along",
        "the",
        "northern",
        "coast",
        "again",
    ]
    others = [FINE, CUP] + [f"{w} {FINE.split()[k]} report number {k}" for k, w in enumerate(words)]
    import_articles(engine, [rec(1, CHIP, "2026-03-02", SPECS), rec(2, CHIP, "2026-03-02", SPECS)]
                    + [rec(10 + i, t, "2026-03-01") for i, t in enumerate(others)])  # fmt: skip
    cluster_pending(engine, settings, embedder=EMB)
    feature = {**rec(3, CHIP, "2026-03-03"), "text": PROFILE}
    import_articles(engine, [feature])
    cfg = dataclasses.replace(ClusterConfig(), headline_discount=discount)
    cluster_pending(engine, settings, embedder=EMB, config=cfg)
    got = stories_of(engine)
    assert (got["r3"] == got["r1"]) is joins
    with session_scope(engine) as s:  # the headline vectors are stored beside the article's
        aid = s.scalars(select(Article.id).where(Article.external_id == "r3")).one()
        models = set(s.scalars(select(Embedding.model).where(Embedding.article_id == aid)))  # type: ignore[arg-type]
    assert models == {EMB.model_id, EMB.model_id + "#headline"}


# again 1.000 with threshold 4.0 sd, soft time penalty 0.5 sd x ln(1 + gap/7d), 365-day horizon,
# and 1.000 with the 3-year horizon (2026-12-02):
#   python scripts/eval_clustering.py tests/fixtures/stories/articles.jsonl
# pinned slightly below, so one wrong link among 24 articles still passes but two do not.
FLOOR = 0.95


def test_headlines_naming_different_things_count_as_a_mismatch() -> None:
    from bot.pipeline.linkage import extract_entities, headline_mismatch

    docs = [
        ("Chicago Bears fire coach John Fox", "The Bears said on Monday that Fox is out."),
        (
            "Arians retires after 5 seasons in Arizona",
            "Bruce Arians told the Cardinals he is done.",
        ),
        ("Fox out as Bears coach", "Chicago fired John Fox after a 5-11 season."),
        ("a headline without names", "Nothing capitalised here."),
    ]
    heads = [extract_entities(t, "") for t, _ in docs]
    ents = [extract_entities(t, x) for t, x in docs]
    mis = headline_mismatch(heads, ents)
    assert mis[0, 1] and mis[1, 2]  # two coaches: no name in common
    assert not mis[0, 2]  # one event: the names are shared
    assert not mis[0, 3] and not mis[3, 1]  # a headline with no names says nothing either way
