"""Floors on real text the suite can carry (tests/data/README.md, section 3): AI-industry releases of
the US federal government (rounds 8 and 10, public domain), the UK government and the European
Commission (round 9), the Australian and New Zealand governments (round 10) and UK public bodies
(round 11; open licences), and US federal and UK public-sector pages on AI in operation (round 12).

Their texts are committed beside their labels, which were written by hand before any classifier output
on them was seen. The other real sets point into texts that live outside the repository; this one runs
on any checkout.
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
    r["page_id"]: r for r in map(json.loads, (DATA / "open_pages.jsonl").read_text().splitlines())
}
ROWS = [json.loads(x) for x in (DATA / "open_claims.jsonl").read_text().splitlines()]
DATE_LINE = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s+")  # the stored copies' metadata line
SUBTYPES = {"announcement", "forecast", "funding", "benchmark", "proposal"}
_OPEN_HOSTS = (
    ".gov",
    ".mil",
    "gov.uk",
    ".europa.eu",
    ".gov.au",
    ".govt.nz",
    "ico.org.uk",
    "gov.scot",
    "gov.wales",
    "dvidshub.net",  # DVIDS: US military news
    "af.edu",  # Air University, US Air Force
    "england.nhs.uk",  # NHS England (OGL v3.0)
    "content.govdelivery.com",  # bulletins the US agencies send through GovDelivery (the Coast Guard's here)
)
SALT = {
    8: "federal:",
    9: "open:",
    10: "open:",
    11: "open:",
    12: "open:",
}  # fixed when each round was split


def _split(url: str, round_: int) -> str:
    digest = hashlib.sha1(f"{SALT[round_]}{url}".encode()).hexdigest()
    return "heldout" if int(digest[:8], 16) % 2 == 0 else "dev"


def _scored(split: str, round_: int) -> list[tuple[str, str]]:
    """(gold label, classifier label) of the scored sentences of one split of one round."""
    out = []
    for r in ROWS:
        if r["split"] == split and r["round"] == round_ and r["label"] != "unclear":
            page = PAGES[r["page_id"]]
            s = DATE_LINE.sub("", page["text"][r["start"] : r["end"]])
            out.append(
                (r["label"], classify_sentence(s, date.fromisoformat(page["published"])).label)
            )
    return out


def test_labels_point_into_the_committed_open_texts() -> None:
    for page in PAGES.values():
        host = urlsplit(page["url"]).hostname or ""
        assert host.endswith(_OPEN_HOSTS)  # where the open terms come from: US, UK, EU, AU, NZ
        assert page["split"] == _split(page["url"], page["round"])
        assert page["licence"]
        date.fromisoformat(page["published"])
    for r in ROWS:
        s = PAGES[r["page_id"]]["text"][r["start"] : r["end"]]
        assert hashlib.sha1(s.encode()).hexdigest()[:12] == r["sha1"]
        assert r["label"] in {"deployment", "hype", "neither", "unclear"}
        assert (r["subtype"] in SUBTYPES) if r["label"] == "hype" else r["subtype"] is None
        assert (r["split"], r["round"]) == (
            PAGES[r["page_id"]]["split"],
            PAGES[r["page_id"]]["round"],
        )


@pytest.mark.parametrize(
    ("round_", "split", "n_clear", "right", "n_neither", "kept"),
    [
        # 9 pages, never used for a rule: signals-12 got 6 of 21 clear-cut claims, signals-13 7 (its
        # rulemaking cues came from dev page f1-03, of the same FCC inquiry as held-out f1-04 and
        # f1-05); non-claims kept 23 of 32 with both. Far below the 0.92 target: the floor guards
        # against regression, it is no claim of quality.
        (8, "heldout", 21, 7, 32, 23),
        # 7 pages whose errors were read to write signals-13: 5 of 9 clear-cut (3 before), 27 of 30 kept
        (8, "dev", 9, 5, 30, 27),
        # round 9 (UK and EU), scored first with signals-13: 1 of 7 held out (9 of 15 kept), dev 8 of 13
        # (9 of 16); signals-14 came from the dev errors: dev 9 of 13, held out unchanged
        (9, "heldout", 7, 1, 15, 9),
        (9, "dev", 13, 11, 16, 9),  # 11 since signals-16 (an authority's published template)
        # round 10 (GAO; Australian and New Zealand government), scored first with signals-14:
        # 5 of 13 held out, dev 6 of 14; signals-15 came from the dev errors: dev 8 of 14, held out
        # unchanged; dev 9 of 14 since signals-17 ("saw the launch of")
        (10, "heldout", 13, 5, 16, 14),
        (10, "dev", 14, 9, 21, 18),
        # round 11 (UK public bodies' speeches and statements: nearly all non-claims), scored once with
        # signals-16
        (11, "heldout", 0, 0, 9, 8),
        (11, "dev", 2, 2, 26, 22),
        # round 12 (AI in operation: Air Force, Coast Guard, NHS England, GDS and MHCLG blogs), scored
        # first with signals-17: 3 of 6 held out (10 of 10 kept), dev 3 of 7 (3 of 4); signals-18 came
        # from the dev errors: dev 4 of 7 alone (5 of 7 read in context), 4 of 4 kept; held out unchanged
        (12, "heldout", 6, 3, 10, 10),
        (12, "dev", 7, 4, 4, 4),
    ],
)
def test_floor_on_the_open_pages(
    round_: int, split: str, n_clear: int, right: int, n_neither: int, kept: int
) -> None:
    scored = _scored(split, round_)
    clear = [p == g for g, p in scored if g != "neither"]
    neither = [p == "neither" for g, p in scored if g == "neither"]
    assert (len(clear), len(neither)) == (n_clear, n_neither)
    assert sum(clear) >= right and sum(neither) >= kept
