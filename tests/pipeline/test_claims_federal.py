"""Floors on real text the suite can carry: US federal releases on AI (round 8, tests/data/README.md).

The texts are works of the US government (public domain), so they are committed beside their labels,
which were written by hand before any classifier output on them was seen. The other real sets point
into texts that live outside the repository; this one runs on any checkout.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.pipeline.claims import classify_sentence

DATA = Path(__file__).resolve().parents[1] / "data"
PAGES = {
    r["page_id"]: r
    for r in map(json.loads, (DATA / "federal_pages.jsonl").read_text().splitlines())
}
ROWS = [json.loads(x) for x in (DATA / "federal_claims.jsonl").read_text().splitlines()]
DATE_LINE = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s+")  # the stored copies' metadata line
SUBTYPES = {"announcement", "forecast", "funding", "benchmark", "proposal"}


def _split(url: str) -> str:
    return (
        "heldout"
        if int(hashlib.sha1(f"federal:{url}".encode()).hexdigest()[:8], 16) % 2 == 0
        else "dev"
    )


def _scored(split: str) -> list[tuple[str, str]]:
    """(gold label, classifier label) of the scored sentences of one split."""
    out = []
    for r in ROWS:
        if r["split"] == split and r["label"] != "unclear":
            page = PAGES[r["page_id"]]
            s = DATE_LINE.sub("", page["text"][r["start"] : r["end"]])
            out.append(
                (r["label"], classify_sentence(s, date.fromisoformat(page["published"])).label)
            )
    return out


def test_labels_point_into_the_committed_public_domain_texts() -> None:
    for page in PAGES.values():
        host = urlsplit(page["url"]).hostname or ""
        assert (
            host.endswith((".gov", ".mil")) or host == "www.dvidshub.net"
        )  # DVIDS: US military news
        assert page["split"] == _split(page["url"])
        date.fromisoformat(page["published"])
    for r in ROWS:
        s = PAGES[r["page_id"]]["text"][r["start"] : r["end"]]
        assert hashlib.sha1(s.encode()).hexdigest()[:12] == r["sha1"]
        assert r["label"] in {"deployment", "hype", "neither", "unclear"}
        assert (r["subtype"] in SUBTYPES) if r["label"] == "hype" else r["subtype"] is None
        assert r["split"] == PAGES[r["page_id"]]["split"]


@pytest.mark.parametrize(
    ("split", "n_clear", "right", "n_neither", "kept"),
    [
        # 9 pages, never used for a rule: signals-12 got 6 of 21 clear-cut claims, signals-13 7 (its
        # rulemaking cues came from dev page f1-03, of the same FCC inquiry as held-out f1-04 and
        # f1-05); non-claims kept 23 of 32 with both. Far below the 0.92 target: the floor guards
        # against regression, it is no claim of quality.
        ("heldout", 21, 7, 32, 23),
        # 7 pages whose errors were read to write signals-13: 5 of 9 clear-cut (3 before), 27 of 30 kept
        ("dev", 9, 5, 30, 27),
    ],
)
def test_floor_on_the_federal_releases(
    split: str, n_clear: int, right: int, n_neither: int, kept: int
) -> None:
    scored = _scored(split)
    clear = [p == g for g, p in scored if g != "neither"]
    neither = [p == "neither" for g, p in scored if g == "neither"]
    assert (len(clear), len(neither)) == (n_clear, n_neither)
    assert sum(clear) >= right and sum(neither) >= kept
