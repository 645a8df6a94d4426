"""The learned claim model: unseen wording, the traps kept, features, and a floor on blind probes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.pipeline import claims
from bot.pipeline.claim_model import load_claim_model, sentence_features
from bot.pipeline.claims import classify_sentence, rule_claim

DATA = Path(__file__).resolve().parents[1] / "data"
PROBES = [json.loads(x) for x in (DATA / "probe_claims.jsonl").read_text().splitlines() if x]
PUB = date(2026, 3, 15)


def test_weights_are_shipped_and_load() -> None:
    model = load_claim_model()
    assert model is not None
    p = model.predict(sentence_features("the bank now runs the agent in 40 branches.", PUB))
    assert abs(sum(p.values()) - 1.0) < 1e-9
    assert set(p) == {
        "deployment",
        "announcement",
        "forecast",
        "funding",
        "benchmark",
        "proposal",
        "neither",
    }


def test_missing_weights_file_means_rules_alone(tmp_path: Path) -> None:
    assert load_claim_model(tmp_path / "none.npz") is None


@pytest.mark.parametrize(
    ("text", "label"),
    [  # worded without any of the rules' cues; the rules alone say neither
        (
            "Lindqvist Group's warehouses run 1,100 picking robots steered by a vision model.",
            "deployment",
        ),
        (
            "Two million students used the homework helper during exam season, the ministry said.",
            "deployment",
        ),
        ("The upgraded assistant is coming to phones in the autumn.", "hype"),
    ],
)
def test_model_finds_claims_the_rules_miss(text: str, label: str) -> None:
    assert rule_claim(text, PUB).label == "neither"
    c = classify_sentence(text, PUB)
    assert c.label == label
    assert any(cue.startswith("model:") for cue in c.cues)
    assert 0.4 <= c.confidence <= 0.9


def test_traps_still_decided_by_the_rules() -> None:
    pilot = classify_sentence("The hospital is piloting the triage model in two wards.", PUB)
    assert (pilot.label, pilot.subtype) == ("hype", "announcement")
    fab = classify_sentence("The new GPU entered full production at the foundry in March.", PUB)
    assert (fab.label, fab.subtype) == ("hype", "announcement")


def test_market_moves_are_not_rescued() -> None:
    c = classify_sentence("Shares in the chipmaker rose 4% in early trading on Tuesday.", PUB)
    assert c.label == "neither"


def test_grammar_features_read_tense_modality_and_time() -> None:
    f = sentence_features("the agency has processed 2,000 claims since january.", PUB)
    assert {"g:perfect", "g:since", "g:count"} <= set(f)
    f = sentence_features("the model will reach customers next year and could cut costs.", PUB)
    assert {"g:future_will", "g:future_time", "g:modal_weak"} <= set(f)
    assert "g:year_after_pub" in sentence_features("the rules apply from 2027.", PUB)
    assert "g:year_before_pub" in sentence_features("the rules applied in 2024.", PUB)
    assert "g:modal_weak" not in sentence_features("it opened on may 4, 2025.", PUB)


def test_floor_on_the_held_out_blind_probes() -> None:
    # self-written in unseen wording, never trained on; measured 0.878 of clear-cut claims
    # (the rules alone: 0.722, a keyword rule: 0.333); pinned below
    rows = [r for r in PROBES if r["split"] == "heldout" and r["label"] != "neither"]
    hits = sum(classify_sentence(r["text"], PUB).label == r["label"] for r in rows)
    assert len(rows) == 90
    assert hits / len(rows) >= 0.85


def test_without_the_model_the_rules_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims, "load_claim_model", lambda: None)
    text = "Lindqvist Group's warehouses run 1,100 picking robots steered by a vision model."
    assert classify_sentence(text, PUB).label == "neither"


def test_floor_on_the_self_written_sentences_in_news_wording() -> None:
    # tests/data/written_claims.jsonl: 600 sentences written for session 12 from briefing.md alone,
    # in the wording of real news without the stock cue words; never trained on. Scored once with
    # signals-11: clear-cut 334/420 (0.795), non-claims kept neither 135/180 (0.750). signals-12's
    # event cues were written from their errors, so they are dev rows since: 385/420 (0.917), 136/180
    rows = [json.loads(line) for line in (DATA / "written_claims.jsonl").open()]
    assert len(rows) == 600 and len({r["text"] for r in rows}) == 600
    subtypes = {"announcement", "forecast", "funding", "benchmark", "proposal"}
    for r in rows:
        assert r["label"] in {"deployment", "hype", "neither"}
        assert (r["subtype"] in subtypes) if r["label"] == "hype" else r["subtype"] is None
    pred = [classify_sentence(r["text"], date.fromisoformat(r["published"])).label for r in rows]
    clear = [k for k, r in enumerate(rows) if r["label"] != "neither"]
    neither = [k for k, r in enumerate(rows) if r["label"] == "neither"]
    assert sum(pred[k] == rows[k]["label"] for k in clear) / len(clear) >= 0.90
    assert sum(pred[k] == "neither" for k in neither) / len(neither) >= 0.73
