"""Draw real sentences to label for the claim evaluation (issue 4, second round of real labels).

Prints candidate sentences (not stored: the texts stay in ../shared) with the ids, offsets and
hashes that a labelled row in tests/data/*_claims.jsonl needs. The draw does not look at any
classifier output: sentences are chosen by position and at random only.

* ai_news: sentences of 40+ characters of the relevant articles that are not yet labelled.
* real feeds: entries that name an AI term (``ai_terms`` of the taxonomy, whole words) in the
  title or twice in the text; the first 6 (``--first``) sentences of 40+ characters, not yet
  labelled. Round 2 drew 70 with the defaults and 70 leads (``--first 2 --seed 22``).
* Round 3 took every remaining ai_news sentence of the train split:
  ``ainews 2000 --seed 31 --split train`` (499 rows, in that order; held-out ones never printed).

    .venv/bin/python scripts/sample_claim_sentences.py {ainews|feeds} N [--seed 21]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signals_probes import feed_entries, read_jsonl  # noqa: E402

from bot.pipeline.claims import split_sentences  # noqa: E402
from bot.pipeline.topics import load_taxonomy  # noqa: E402

DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "data"


def _sha(s: str) -> str:
    return hashlib.sha1(s.encode()).hexdigest()[:12]


def ainews_split(art: dict) -> str:
    """The event split of tests/data/README.md (salt 156)."""
    h = int(hashlib.sha1(f"156:{art.get('event') or art['id']}".encode()).hexdigest()[:8], 16)
    return "test" if h % 10 < 4 else "train"


def feeds_split(feed: str, guid_sha1: str) -> str:
    """The entry split of tests/data/README.md."""
    h = int(hashlib.sha1(f"feeds:{feed}{guid_sha1}".encode()).hexdigest()[:8], 16)
    return "heldout" if h % 2 == 0 else "dev"


def candidates_ainews() -> list[dict]:
    done = {(d["article_id"], d["start"]) for d in read_jsonl(DATA / "ainews_claims.jsonl")}
    rel = {d["id"] for d in read_jsonl(DATA / "ainews_articles.jsonl") if d["relevant"]}
    out = []
    for art in read_jsonl(SHARED / "ai_news" / "articles.jsonl"):
        if art["id"] not in rel:
            continue
        for a, b in split_sentences(art["text"]):
            s = art["text"][a:b]
            if len(s) >= 40 and (art["id"], a) not in done:
                row = {"article_id": art["id"], "start": a, "end": b, "sha1": _sha(s)}
                out.append({**row, "split": ainews_split(art), "_text": s})
    return out


def candidates_feeds(first: int = 6) -> list[dict]:
    done = {
        (d["feed"], d["guid_sha1"], d["start"]) for d in read_jsonl(DATA / "feeds_claims.jsonl")
    }
    terms = load_taxonomy().ai_terms
    pat = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)
    out = []
    for (feed, gh), (title, text, _) in sorted(feed_entries(SHARED).items()):
        if not (pat.search(title) or len(pat.findall(text)) >= 2):
            continue
        spans = [(a, b) for a, b in split_sentences(text) if b - a >= 40][:first]
        for a, b in spans:
            if (feed, gh, a) in done:
                continue
            s = text[a:b]
            row = {"feed": feed, "guid_sha1": gh, "start": a, "end": b, "sha1": _sha(s)}
            out.append({**row, "split": feeds_split(feed, gh), "_text": s, "_title": title})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", choices=("ainews", "feeds"))
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--first", type=int, default=6, help="feeds: sentences per entry")
    ap.add_argument("--split", help="only candidates of this split (train/test, dev/heldout)")
    args = ap.parse_args()
    cands = candidates_ainews() if args.source == "ainews" else candidates_feeds(args.first)
    random.Random(args.seed).shuffle(cands)
    if args.split:  # filtered after the shuffle: the same order as an unfiltered draw
        cands = [c for c in cands if c["split"] == args.split]
    print(f"# {len(cands)} candidates", file=sys.stderr)
    for c in cands[: args.n]:
        print(json.dumps(c, ensure_ascii=False))


if __name__ == "__main__":
    main()
