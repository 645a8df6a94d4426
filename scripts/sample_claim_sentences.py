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
* Round 4 (session 17) took every remaining ai_news sentence of the held-out split:
  ``ainews 2000 --seed 91 --split test`` (273 rows, labelled blind twice, scored in total only).
* Real feeds round 3 (issue 4, signals-6): the news feeds among the AI entries of the dev split,
  ``feeds 130 --seed 71 --first 12 --split dev --feed 5da3b20f957be51d.gz --feed
  ce5f942d1cd40fc0.gz --feed 16dc10cf98d1ee82.gz --feed 14333881097406c7.gz --feed
  14dda539770f94e3.gz``, then the next 150 of the same order (``... 150 --skip 130``); both
  parts come from one candidate list made before any round-3 row was labelled (labelled rows drop
  out of the candidates, so re-running against today's labels gives a different order).
* g5dev (round 4): the first 12 sentences of 40+ characters of the giveme5w1h ``business``
  articles (2017-2018 news, not the held-out ``technology`` ones; no event is shared between the
  two categories), not yet labelled: ``g5dev 110 --seed 61``.

    .venv/bin/python scripts/sample_claim_sentences.py {ainews|feeds|g5dev} N [--seed 21]
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


def candidates_g5dev(first: int = 12) -> list[dict]:
    path = DATA / "g5dev_claims.jsonl"
    done = {(d["id"], d["start"]) for d in read_jsonl(path)} if path.exists() else set()
    arts = read_jsonl(SHARED / "clustering" / "giveme5w1h" / "articles.jsonl")
    out = []
    for art in arts:
        if art.get("category") != "business":
            continue
        spans = [(a, b) for a, b in split_sentences(art["text"]) if b - a >= 40][:first]
        for a, b in spans:
            if (art["id"], a) in done:
                continue
            s = art["text"][a:b]
            row = {"id": art["id"], "start": a, "end": b, "sha1": _sha(s), "split": "dev"}
            out.append({**row, "_text": s, "_published": art.get("date_publish")})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", choices=("ainews", "feeds", "g5dev"))
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--first", type=int, default=6, help="feeds: sentences per entry")
    ap.add_argument("--split", help="only candidates of this split (train/test, dev/heldout)")
    ap.add_argument("--feed", action="append", help="feeds: only entries of this feed file")
    ap.add_argument("--skip", type=int, default=0, help="leave out the first N (an earlier draw)")
    args = ap.parse_args()
    if args.source == "ainews":
        cands = candidates_ainews()
    elif args.source == "feeds":
        cands = candidates_feeds(args.first)
    else:
        cands = candidates_g5dev()
    random.Random(args.seed).shuffle(cands)
    if args.split:  # filtered after the shuffle: the same order as an unfiltered draw
        cands = [c for c in cands if c["split"] == args.split]
    if args.feed:  # also after the shuffle
        cands = [c for c in cands if c.get("feed") in args.feed]
    print(f"# {len(cands)} candidates", file=sys.stderr)
    for c in cands[args.skip : args.skip + args.n]:
        print(json.dumps(c, ensure_ascii=False))


if __name__ == "__main__":
    main()
