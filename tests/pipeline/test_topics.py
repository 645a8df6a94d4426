"""Taxonomy validation, user topics, and topic/relevance quality floors with the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.pipeline.embed import HashingEmbedder, load_embedder
from bot.pipeline.signals import _embed_text
from bot.pipeline.topics import (
    DEFAULT_TAXONOMY,
    TaxonomyError,
    TopicClassifier,
    get_topic_classifier,
    load_taxonomy,
    parse_taxonomy,
)

DATA = Path(__file__).resolve().parents[1] / "data"
ARTICLES = [json.loads(x) for x in (DATA / "fixture_articles.jsonl").read_text().splitlines()]
TOPICS = ["models", "agents", "investment", "chips", "regulation", "safety", "workforce"]


def test_default_taxonomy_has_the_seven_topics() -> None:
    tax = load_taxonomy()
    assert tax.names == TOPICS
    assert all(t.description and t.examples for t in tax.topics)


def _doc() -> dict:
    return yaml.safe_load(DEFAULT_TAXONOMY.read_text())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["topics"][2].update(examples="money"),
            "topics[2].examples: must be a list of strings",
        ),
        (
            lambda d: d["topics"][0].update(name="Models!"),
            "topics[0].name: must be a lower-case identifier",
        ),
        (
            lambda d: d["topics"][1].pop("description"),
            "topics[1].description: must be a non-empty string",
        ),
        (
            lambda d: d["topics"][3].update(name="models"),
            "topics[3].name: duplicate or reserved name",
        ),
        (lambda d: d["topics"][4].update(colour="red"), "topics[4]: unknown field(s) colour"),
        (lambda d: d.update(topics=[]), "topics: must be a non-empty list"),
    ],
)
def test_taxonomy_errors_name_the_entry_and_field(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = _doc()
    mutate(doc)
    with pytest.raises(TaxonomyError) as err:
        parse_taxonomy(doc, "my.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith("my.yaml: ")


def test_taxonomy_file_problems(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="does not exist"):
        load_taxonomy(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics: [unclosed")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(bad)
    assert TaxonomyError.exit_code == 2  # a configuration error


def test_user_added_topic_is_scored_by_prototype_and_keywords(tmp_path: Path) -> None:
    doc = _doc()
    doc["topics"].append(
        {
            "name": "robotics",
            "description": "Humanoid robots and robot arms driven by AI models.",
            "examples": ["a humanoid robot folds laundry", "warehouse robot arms picking parcels"],
            "keywords": ["robot", "robots", "humanoid", "robotics"],
        }
    )
    path = tmp_path / "tax.yaml"
    path.write_text(yaml.safe_dump(doc))
    clf = TopicClassifier(load_taxonomy(path), HashingEmbedder())
    res = clf.classify(["AI robotics startup shows a humanoid robot; robots learn from AI models"])
    assert res[0].relevant
    assert res[0].primary_topic == "robotics"


def test_ai_must_be_the_subject_not_a_passing_mention() -> None:
    clf = TopicClassifier(load_taxonomy(), HashingEmbedder())
    tip = "Listing tips\nUse short titles, good photos and the shop's new AI description writer."
    news = (
        "Shop platform launches AI description writer\nThe platform launched a generative AI tool."
    )
    assert not clf.is_about_ai(tip)
    assert clf.is_about_ai(news)
    assert clf.is_about_ai(
        "Tips\nThe AI model tops a benchmark on reasoning."
    )  # 1 term + 2 context


def test_an_ai_benchmark_name_makes_ai_the_subject() -> None:
    # a leaderboard story may never say "AI": SWE-bench or MMLU only ever score AI models
    clf = TopicClassifier(load_taxonomy(), HashingEmbedder())
    story = (
        "New model tops coding leaderboard\n"
        "The model scored 78 percent on SWE-bench Verified, beating rivals, the lab said."
    )
    assert clf.is_about_ai(story)
    assert clf.is_about_ai("Lab's model sets MMLU record\nIt scored 93 percent.")
    assert not clf.is_about_ai(
        "Fashion week\nThe model topped the runway leaderboard, the lab said."
    )


def test_relevance_needs_an_ai_term() -> None:
    clf = TopicClassifier(load_taxonomy(), HashingEmbedder())
    res = clf.classify(["The home side won the derby with a late goal in stoppage time", "AI"])
    assert [r.relevant for r in res] == [False, False]
    assert res[0].topics == [] and res[0].primary_topic is None


@pytest.fixture(scope="module")
def real_classifier() -> TopicClassifier:
    return get_topic_classifier(load_embedder())


def test_fixture_topics_and_relevance_with_the_real_model(real_classifier: TopicClassifier) -> None:
    from sklearn.metrics import f1_score

    res = real_classifier.classify([_embed_text(a["title"], a["text"]) for a in ARTICLES])
    gold = [a["primary_topic"] or "off_topic" for a in ARTICLES]
    pred = [r.primary_topic if r.relevant else "off_topic" for r in res]
    # measured: macro-F1 0.943, accuracy 0.960 on these 50 self-written articles; pinned below
    assert f1_score(gold, pred, average="macro") >= 0.88
    off = [r for a, r in zip(ARTICLES, res, strict=True) if not a["relevant"]]
    assert all(not r.relevant for r in off), "every off-topic decoy must be recognised"
    # e-commerce and photography posts that mention an AI feature stay off-topic
    decoys = {a["id"]: r for a, r in zip(ARTICLES, res, strict=True)}
    passing_mentions = [
        "a20",
        "a26",
        "b1",
        "b2",
        "b3",
        "b6",
        "b7",
    ]  # tips naming an AI feature once
    assert [k for k in passing_mentions if decoys[k].relevant] == []


def test_multiple_topics_with_one_primary(real_classifier: TopicClassifier) -> None:
    text = (
        "Chipmaker invests $5 billion in AI startup\n"
        "The GPU maker will invest $5 billion in the AI lab in a funding round, and the lab "
        "will buy its accelerators for new data centers."
    )
    res = real_classifier.classify([text])[0]
    assert res.relevant
    assert res.primary_topic in {"investment", "chips"}
    assert {"investment", "chips"} <= set(res.topics)
