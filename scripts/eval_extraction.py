"""Main-text F1 of our page extraction on scrapinghub's article-extraction-benchmark.

Scored the benchmark's way: 4-gram shingles of ``\\w+`` tokens, mean precision and recall over
pages, F1 of those means. Compares a few trafilatura settings side by side; the first row is the
setting the crawler uses (bot.pipeline.extract.EXTRACT_OPTIONS).

    .venv/bin/python scripts/eval_extraction.py [BENCHMARK_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.pipeline import extract  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "extraction" / "article_extraction_benchmark"
VARIANTS: dict[str, dict[str, object]] = {
    "default": {},
    "favor_recall": {"favor_recall": True},
    "favor_precision": {"favor_precision": True},
    "no_tables": {"include_tables": False},
}


def extract_text(html: bytes, options: dict[str, object]) -> str:
    """Main text of a page with the given trafilatura options."""
    raw = trafilatura.extract(html, output_format="json", with_metadata=True, **options)
    return json.loads(raw)["text"] if raw else ""


def main() -> int:
    """Score every variant on every page and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--variants", default="crawler," + ",".join(VARIANTS))
    args = parser.parse_args()
    truth = json.loads((args.data_dir / "ground-truth.json").read_text())
    pages = {
        k: gzip.decompress((args.data_dir / "html" / f"{k}.html.gz").read_bytes()) for k in truth
    }
    print(f"pages: {len(pages)} from {args.data_dir}")
    print(f"{'variant':<16} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8}")
    for name in args.variants.split(","):
        if name == "crawler":
            started = time.perf_counter()
            counts = []
            for key, html in pages.items():
                got = extract.extract_page(html, content_type="text/html")
                counts.append(extract.score_shingles(truth[key]["articleBody"], got.text))
            label = "crawler*"
        else:
            options = VARIANTS[name]
            started = time.perf_counter()
            counts = [
                extract.score_shingles(truth[k]["articleBody"], extract_text(h, options))
                for k, h in pages.items()
            ]
            label = name
        elapsed = time.perf_counter() - started
        s = extract.summarise_scores(counts)
        print(
            f"{label:<16} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:6.3f} {len(pages) / elapsed:8.1f}"
        )
    print(f"* crawler = extract_page() with {extract.EXTRACT_OPTIONS}; target F1 >= 0.95")
    return 0


if __name__ == "__main__":
    sys.exit(main())
