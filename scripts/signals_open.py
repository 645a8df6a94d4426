"""Claim labels of real AI-industry pages whose texts the project may carry (tests/data/README.md, section 3).

Unlike the other collected pages, these texts are committed (``tests/data/open_pages.jsonl``, each
page with its ``licence``): rounds 8 and 10, US federal pages (public domain); round 9, UK government
(Open Government Licence v3.0) and European Commission pages (CC BY 4.0); round 10, Australian and
New Zealand government pages (CC BY 4.0); round 11, UK public bodies (OGL v3.0); round 12, AI in
operation (US federal, NHS England and GOV.UK blogs). The labels (``tests/data/open_claims.jsonl``)
point into them by offsets, checked by hash, and were written by hand before any classifier output
on them was seen. Each row carries its ``split`` (by a hash of the
page URL, checked in ``tests/pipeline/test_claims_open_pages.py``) and ``round``.
"""

from __future__ import annotations

from signals_probes import DATA, page_claim_rows, read_jsonl, score_page_part

OPEN_PAGES = DATA / "open_pages.jsonl"
OPEN_CLAIMS = DATA / "open_claims.jsonl"


def eval_open_pages(show_errors: bool = False) -> None:
    """Claim labels of the committed pages, per split and per round (dev errors with ``show_errors``)."""
    by_id = {r["page_id"]: r for r in read_jsonl(OPEN_PAGES)} if OPEN_PAGES.exists() else {}
    if not by_id:
        return
    rows = page_claim_rows(OPEN_PAGES, labels=OPEN_CLAIMS, by_id=by_id)
    rounds = sorted({d["round"] for _, _, d in rows})
    print(
        f"\n== real pages with open texts, committed ({len(rows)} labelled sentences of "
        f"{len(by_id)} pages, rounds {rounds[0]}-{rounds[-1]}: US federal, UK, EU, Australia, New Zealand)"
    )
    for rnd in (None, *rounds):
        for split in ("heldout", "dev"):
            part = [r for r in rows if r[2]["split"] == split and rnd in (None, r[2]["round"])]
            name = split if rnd is None else f"{split} round {rnd}"
            if part:
                score_page_part(name, part, by_id, show_errors and name == "dev")
