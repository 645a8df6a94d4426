"""The committed labels of the collected AI pages are well formed (their texts are not committed)."""

from __future__ import annotations

import json
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
    assert len(index) == 152 and len({r["url"] for r in index.values()}) == 152
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
    assert kept["heldout"] == 242 and kept["dev"] == 240
