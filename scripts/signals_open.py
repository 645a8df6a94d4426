"""Claim labels of real AI-industry pages whose texts the project may carry (tests/data/README.md, section 3).

Unlike the other collected pages, these texts are committed (``tests/data/open_pages.jsonl``, each
page with its ``licence``): round 8, releases of US federal agencies (public domain); round 9, UK
government (Open Government Licence v3.0) and European Commission pages (CC BY 4.0); round 10, more
US federal pages and Australian and New Zealand government pages (CC BY 4.0); round 11, UK public
bodies (OGL v3.0, Open Parliament Licence) and the Irish government (CC BY 4.0). The labels (``tests/data/open_claims.jsonl``) point into them by offsets,
checked by hash, and were written by hand before any classifier output on them was seen. Split by
page URL (``page_split``).
"""

from __future__ import annotations

import hashlib

from signals_probes import DATA, page_claim_rows, read_jsonl, score_page_part

OPEN_PAGES = DATA / "open_pages.jsonl"
OPEN_CLAIMS = DATA / "open_claims.jsonl"
SALT = {8: "federal:", 9: "open:", 10: "open:", 11: "open:"}  # fixed when each round was split


def page_split(url: str, round_: int) -> str:
    """The split of a page: held out when the first 8 hex digits of ``sha1(salt + url)`` are even."""
    digest = hashlib.sha1(f"{SALT[round_]}{url}".encode()).hexdigest()
    return "heldout" if int(digest[:8], 16) % 2 == 0 else "dev"


def open_pages() -> dict[str, dict]:
    """The committed pages by ``page_id``."""
    return {r["page_id"]: r for r in read_jsonl(OPEN_PAGES)} if OPEN_PAGES.exists() else {}


def eval_open_pages(show_errors: bool = False) -> None:
    """Claim labels of the committed pages, per split and per round (dev errors with ``show_errors``)."""
    by_id = open_pages()
    if not by_id:
        return
    rows = page_claim_rows(OPEN_PAGES, labels=OPEN_CLAIMS, by_id=by_id)
    print(
        f"\n== real pages with open texts, committed ({len(rows)} labelled sentences of "
        f"{len(by_id)} pages; round 8 US federal, 9 UK and EU, 10 US federal, Australia, New Zealand, 11 UK and Ireland)"
    )
    for split in (
        "heldout",
        "dev",
        "heldout round 8",
        "dev round 8",
        "heldout round 9",
        "dev round 9",
        "heldout round 10",
        "dev round 10",
        "heldout round 11",
        "dev round 11",
    ):
        name, _, rnd = split.partition(" round ")
        part = [r for r in rows if r[2]["split"] == name and (not rnd or r[2]["round"] == int(rnd))]
        if part:
            score_page_part(split, part, by_id, show_errors and split == "dev")
