"""Claim labels of US federal government releases on AI (round 8; tests/data/README.md).

Unlike the other collected pages, these texts are committed (``tests/data/federal_pages.jsonl``):
releases of US federal agencies are works of the US government, in the public domain. The labels
(``tests/data/federal_claims.jsonl``) point into them by offsets, checked by hash, and were written by
hand before any classifier output on them was seen. Split by page URL: ``sha1("federal:" + url)``,
first 8 hex digits even means ``heldout``.
"""

from __future__ import annotations

import hashlib

from signals_probes import DATA, page_claim_rows, read_jsonl, score_page_part

FEDERAL_PAGES = DATA / "federal_pages.jsonl"
FEDERAL_CLAIMS = DATA / "federal_claims.jsonl"


def federal_split(url: str) -> str:
    """The split of a federal page: held out or dev, by a hash of its URL."""
    return (
        "heldout"
        if int(hashlib.sha1(f"federal:{url}".encode()).hexdigest()[:8], 16) % 2 == 0
        else "dev"
    )


def federal_pages() -> dict[str, dict]:
    """The committed federal pages by ``page_id``."""
    return {r["page_id"]: r for r in read_jsonl(FEDERAL_PAGES)} if FEDERAL_PAGES.exists() else {}


def eval_federal_claims(show_errors: bool = False) -> None:
    """Claim labels of the federal releases, per split (dev errors listed with ``show_errors``)."""
    by_id = federal_pages()
    if not by_id:
        return
    rows = page_claim_rows(FEDERAL_PAGES, labels=FEDERAL_CLAIMS, by_id=by_id)
    print(
        f"\n== US federal releases on AI, public domain, texts committed ({len(rows)} labelled "
        f"sentences of {len(by_id)} pages)"
    )
    for split in ("heldout", "dev"):
        part = [r for r in rows if r[2]["split"] == split]
        if part:
            score_page_part(split, part, by_id, show_errors and split == "dev")
