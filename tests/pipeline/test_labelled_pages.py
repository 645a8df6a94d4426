"""The committed labels of the collected AI pages are well formed (their texts are not committed)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def _rows(name: str) -> list[dict]:
    return [
        json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()
    ]


def test_page_labels_point_into_indexed_pages_with_valid_labels() -> None:
    index = {r["page_id"]: r for r in _rows("pages_index.jsonl")}
    claims = _rows("pages_claims.jsonl")
    assert len(index) == 316 and len({r["url"] for r in index.values()}) == 316
    assert all(
        r["url"].startswith(("https://", "http://")) and len(r["text_sha1"]) == 12
        for r in index.values()
    )
    subtypes = {"announcement", "forecast", "funding", "benchmark", "proposal"}
    for c in claims:
        assert c["page_id"] in index
        assert 0 <= c["start"] < c["end"] and len(c["sha1"]) == 12
        assert c["split"] in {"heldout", "dev"}
        assert c["label"] in {"deployment", "hype", "neither", "unclear"}
        assert (c["subtype"] in subtypes) if c["label"] == "hype" else c["subtype"] is None
    # each sentence is labelled once: a repeated line (a headline again in a caption) points at
    # its own copy, not at the first one
    assert len({(c["page_id"], c["start"]) for c in claims}) == len(claims)
    # a page's sentences all sit in one split, so no page straddles held-out and dev
    splits = {(c["page_id"], c["split"]) for c in claims}
    assert len(splits) == len({c["page_id"] for c in claims})
    kept = Counter(c["split"] for c in claims if c["label"] in {"deployment", "hype"})
    assert kept["heldout"] == 558 and kept["dev"] == 546


def _agreement_module():
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        spec = importlib.util.spec_from_file_location(
            "signals_agreement", scripts / "signals_agreement.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(scripts))
    return module


def test_cohen_kappa_matches_a_hand_computed_table() -> None:
    # 50 items: both "yes" 20, both "no" 15, first yes / second no 5, first no / second yes 10.
    # observed 35/50 = 0.70; expected (25*30 + 25*20) / 2500 = 0.50; kappa (0.70-0.50)/0.50 = 0.40
    pairs = [("y", "y")] * 20 + [("n", "n")] * 15 + [("y", "n")] * 5 + [("n", "y")] * 10
    observed, k = _agreement_module().kappa(pairs)
    assert abs(observed - 0.70) < 1e-9 and abs(k - 0.40) < 1e-9


def test_second_annotator_labels_the_same_sentences_and_mostly_agrees() -> None:
    ag = _agreement_module()
    first, second = ag.first_labels(), ag.second_labels()
    sha = {("ainews", r["article_id"], r["start"]): r["sha1"] for r in _rows("ainews_claims.jsonl")}
    sha |= {("pages", r["page_id"], r["start"]): r["sha1"] for r in _rows("pages_claims.jsonl")}
    subtypes = {"announcement", "forecast", "funding", "benchmark", "proposal"}
    assert len(second) == len(_rows("second_labels.jsonl"))  # each sentence once
    for key, row in second.items():
        assert key in first and row["sha1"] == sha[key]  # the very sentence the first label is on
        assert row["label"] in {"deployment", "hype", "neither", "unclear"}
        assert (row["subtype"] in subtypes) if row["label"] == "hype" else row["subtype"] is None
    # every ai_news sentence has a second label (the collected pages: 1,642 of 3,013 so far)
    assert {k for k in first if k[0] == "ainews"} <= second.keys()
    pairs = [(first[k][1]["label"], second[k]["label"]) for k in second]
    scored = [(a, b) for a, b in pairs if a in ag.SCORED and b in ag.SCORED]
    _, k = ag.kappa(scored)
    assert len(scored) >= 300 and k >= 0.9  # labels this consistent are a fair yardstick


def test_sentence_alone_labels_cover_the_scored_page_sentences_of_rounds_4_to_7() -> None:
    """tests/data/alone_labels.jsonl: a third label of each page sentence, read alone (session 13)."""
    first = {(r["page_id"], r["start"]): r for r in _rows("pages_claims.jsonl")}
    alone = _rows("alone_labels.jsonl")
    keys = {(r["doc"], r["start"]) for r in alone}
    assert len(alone) == len(keys) == 933  # each sentence once
    subtypes = {"announcement", "forecast", "funding", "benchmark", "proposal"}
    for r in alone:
        f = first[(r["doc"], r["start"])]
        assert r["sha1"] == f["sha1"] and f["label"] != "unclear"  # the very sentence, a scored one
        assert f.get("round") in (4, 5, 6, 7) and r["part"] in "ABCD"
        assert r["label"] in {"deployment", "hype", "neither", "unclear"}
        assert (r["subtype"] in subtypes) if r["label"] == "hype" else r["subtype"] is None
    scored = [
        (first[(r["doc"], r["start"])]["label"], r["label"])
        for r in alone
        if r["label"] != "unclear"
    ]
    _, k = _agreement_module().kappa(scored)
    assert len(scored) >= 900 and k >= 0.8  # a sentence alone mostly carries its page label


def test_page_sentence_lister_takes_the_first_ten_long_sentences_without_the_cut_one() -> None:
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    spec = importlib.util.spec_from_file_location(
        "list_page_sentences", scripts / "list_page_sentences.py"
    )
    assert spec and spec.loader
    lister = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lister)
    body = " ".join(
        f"Sentence number {i} of this self-written page is long enough." for i in range(12)
    )
    page = {"page_id": "x-01", "text": "Menu. " + body + " And the excerpt is cut here mid"}
    rows = lister.page_sentences(page)
    assert [r["text"] for r in rows] == [
        f"Sentence number {i} of this self-written page is long enough." for i in range(10)
    ]  # "Menu." is too short; only ten are taken
    for r in rows:
        s = page["text"][r["start"] : r["end"]]
        assert s == r["text"] and r["sha1"] == hashlib.sha1(s.encode()).hexdigest()[:12]
    short = {
        "page_id": "x-02",
        "text": "One full sentence that is long enough to list. Then a cut tail of it",
    }
    assert lister.page_sentences(short)[0]["start"] == 0
    assert len(lister.page_sentences(short)) == 1
    assert (
        lister.page_sentences({"page_id": "x-03", "text": "Only the cut sentence is here and it"})
        == []
    )
