"""List the sentences to label of collected pages (tests/data/README.md, rounds 6 and 7).

The first 10 sentences of 40+ characters of each page (``bot.pipeline.claims.split_sentences``),
without the page text's last sentence (a stored excerpt is cut there). No classifier output is
consulted: the labelling sessions ran this and nothing else of the project.

    .venv/bin/python scripts/list_page_sentences.py PAGES.jsonl > SENTENCES.jsonl

PAGES.jsonl rows: {"page_id", "url", "title", "published", "text"}. Prints one JSON row per
sentence: {"page_id", "start", "end", "sha1", "text"} (sha1: first 12 hex digits of the SHA-1 of
the sentence, as in tests/data/pages_claims.jsonl).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.pipeline.claims import split_sentences  # noqa: E402

FIRST, MIN_CHARS = 10, 40


def page_sentences(page: dict) -> list[dict]:
    """The rows to label of one page."""
    out: list[dict] = []
    for a, b in split_sentences(page["text"])[:-1]:
        s = page["text"][a:b]
        if len(s) < MIN_CHARS:
            continue
        sha1 = hashlib.sha1(s.encode()).hexdigest()[:12]
        out.append({"page_id": page["page_id"], "start": a, "end": b, "sha1": sha1, "text": s})
        if len(out) == FIRST:
            break
    return out


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                for row in page_sentences(json.loads(line)):
                    print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
