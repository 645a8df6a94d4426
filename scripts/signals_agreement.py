"""Inter-annotator agreement on the claim labels, and the classifier on the claims both agree on.

A second annotator labelled every sentence of ``tests/data/ainews_claims.jsonl`` and
``tests/data/pages_claims.jsonl`` again, blind: from the sentence, the text just before it and the
publication date, by the same rules, without the first labels or any classifier output
(``tests/data/second_labels.jsonl``; ``tests/data/README.md`` says how). This prints, per set and
split, how often the two agree (four labels, ``unclear`` included), Cohen's kappa over the rows both
scored, and the classifier's accuracy on the clear-cut claims against the first labels and on the
ones both annotators gave the same label (a stricter reading of "clear-cut"). ``eval_alone`` does the
same for a third annotator who read each page sentence alone (``tests/data/alone_labels.jsonl``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

from signals_probes import DATA, page_claim_rows, pub_date, read_jsonl

from bot.pipeline.claims import classify_sentence

SCORED = ("deployment", "hype", "neither")
CLAIMS = ("deployment", "hype")


def second_labels() -> dict[tuple[str, str, int], dict]:
    """The second annotator's rows by (set, document id, start offset)."""
    return {(r["set"], r["doc"], r["start"]): r for r in read_jsonl(DATA / "second_labels.jsonl")}


def first_labels() -> dict[tuple[str, str, int], tuple[str, dict]]:
    """The first labels by the same key, with the split name ("ainews test", "pages heldout" ...)."""
    out: dict[tuple[str, str, int], tuple[str, dict]] = {}
    for d in read_jsonl(DATA / "ainews_claims.jsonl"):
        out[("ainews", d["article_id"], d["start"])] = (f"ainews {d['split']}", d)
    for d in read_jsonl(DATA / "pages_claims.jsonl"):
        out[("pages", d["page_id"], d["start"])] = (f"pages {d['split']}", d)
    return out


def kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Observed agreement and Cohen's kappa of label pairs."""
    if not pairs:
        return float("nan"), float("nan")
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first.keys() | second.keys()) / (n * n)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def _texts(shared: Path, pages: Path) -> dict[tuple[str, str, int], tuple[str, date | None]]:
    """Sentence text and publication date of every scored first-label row whose text is here."""
    out: dict[tuple[str, str, int], tuple[str, date | None]] = {}
    src = shared / "ai_news" / "articles.jsonl"
    arts = {r["id"]: r for r in read_jsonl(src)} if src.exists() else {}
    for d in read_jsonl(DATA / "ainews_claims.jsonl") if arts else []:
        a = arts[d["article_id"]]
        s = a["text"][d["start"] : d["end"]]
        if hashlib.sha1(s.encode()).hexdigest()[:12] != d["sha1"]:
            raise SystemExit(f"text of {d['article_id']} changed: sentence hash mismatch")
        out[("ainews", d["article_id"], d["start"])] = (s, pub_date(a["published"]))
    for s, pub, d in page_claim_rows(pages):
        out[("pages", d["page_id"], d["start"])] = (s, pub)
    return out


def eval_agreement(shared: Path, pages: Path) -> None:
    """Print agreement per split and the classifier on first-label and agreed clear-cut claims."""
    if not (DATA / "second_labels.jsonl").exists():
        return
    second, first = second_labels(), first_labels()
    texts = _texts(shared, pages)
    print(f"\n== second annotator, blind ({len(second)} of {len(first)} labelled sentences)")
    for split in ("ainews test", "pages heldout", "ainews train", "pages dev"):
        keys = [k for k, (name, _) in first.items() if name == split and k in second]
        pairs = [(first[k][1]["label"], second[k]["label"]) for k in keys]
        agree4, _ = kappa(pairs)
        agree3, k3 = kappa([(a, b) for a, b in pairs if a in SCORED and b in SCORED])
        clear = [k for k in keys if first[k][1]["label"] in CLAIMS]
        agreed = [k for k in clear if second[k]["label"] == first[k][1]["label"]]
        line = (
            f"  [{split}] n={len(keys)} agree {agree4:.3f} (4 labels) | both scored: agree "
            f"{agree3:.3f} kappa {k3:.3f} | clear-cut {len(clear)}, second agrees on {len(agreed)}"
        )
        # the classifier needs the texts (not committed): scored on the rows whose text is here
        here, agreed_here = [k for k in clear if k in texts], [k for k in agreed if k in texts]
        if here:

            def acc(ks: list[tuple[str, str, int]]) -> float:
                right = [classify_sentence(*texts[k]).label == first[k][1]["label"] for k in ks]
                return sum(right) / max(len(right), 1)

            line += (
                f" | briefing: clear-cut {acc(here):.3f} (n={len(here)}), agreed clear-cut "
                f"{acc(agreed_here):.3f} (n={len(agreed_here)})"
            )
        print(line)


def eval_alone(pages: Path) -> None:
    """The collected pages' sentences labelled a third time, each alone (no page, headline or
    neighbours, in random order): how often the sentence alone gives its in-context label, and the
    classifier on the claims that the sentence alone makes clear, the reading a sentence
    classifier can be asked for."""
    path = DATA / "alone_labels.jsonl"
    if not path.exists():
        return
    alone = {(r["doc"], r["start"]): r for r in read_jsonl(path)}
    rows = page_claim_rows(pages)
    second = second_labels()
    print(
        f"\n== page sentences labelled alone, blind ({len(alone)} rows; "
        f"{sum((d['page_id'], d['start']) in alone for _, _, d in rows)} with their text here)"
    )
    for split in ("heldout", "dev"):
        part = [
            (s, pub, d)
            for s, pub, d in rows
            if d["split"] == split and (d["page_id"], d["start"]) in alone
        ]
        if not part:
            continue
        pairs = [(d["label"], alone[(d["page_id"], d["start"])]["label"]) for _, _, d in part]
        agree3, k3 = kappa([(a, b) for a, b in pairs if a in SCORED and b in SCORED])
        clear = [(s, pub, d) for s, pub, d in part if d["label"] in CLAIMS]
        plain = [
            r for r in clear if alone[(r[2]["page_id"], r[2]["start"])]["label"] == r[2]["label"]
        ]
        three = [
            r
            for r in plain
            if second.get(("pages", r[2]["page_id"], r[2]["start"]), {}).get("label")
            == r[2]["label"]
        ]

        def acc(rs: list) -> str:
            right = [classify_sentence(s, pub).label == d["label"] for s, pub, d in rs]
            return f"{sum(right) / max(len(right), 1):.3f} (n={len(right)})"

        print(
            f"  [pages {split}] both scored: agree {agree3:.3f} kappa {k3:.3f} | clear-cut {len(clear)}, "
            f"clear from the sentence alone {len(plain)} | briefing: clear-cut {acc(clear)}, "
            f"clear alone {acc(plain)}, all three annotators agree {acc(three)}"
        )
