"""Full text of an article page: trafilatura's main text and metadata, or a failure reason.

Reasons: ``not_html`` (the page is not HTML), ``too_short`` (no main text worth keeping),
``paywalled`` (short text and a paywall marker), ``extraction_error`` (trafilatura gave up).
HTTP-level reasons (``http_404``, ``timeout``, ``too_large``, ``blocked_private_address``,
``robots_disallowed``) come from the fetcher. Also here: the benchmark's scoring (4-gram
shingles of ``\\w+`` tokens), used by scripts/eval_extraction.py and the quality-floor test.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import trafilatura

from bot.pipeline.jsonfeed import parse_iso_datetime

MIN_TEXT_CHARS = 250
# Settings measured with scripts/eval_extraction.py on the article-extraction-benchmark.
EXTRACT_OPTIONS: dict[str, object] = {"favor_precision": True, "include_tables": True}
_PAYWALL = re.compile(
    rb"paywall|subscribe to (?:continue|read)|subscribers only|already a subscriber"
    rb"|isAccessibleForFree\"?\s*:\s*\"?false",
    re.I,
)
_TOKEN = re.compile(r"\w+", re.UNICODE)
_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.I)


@dataclass
class Extracted:
    """The outcome of extracting one page."""

    ok: bool
    reason: str | None = None
    text: str = ""
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None


def is_html(content_type: str, body: bytes) -> bool:
    """Whether a response is an HTML page (by Content-Type, or by sniffing when it is absent)."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml"):
        return True
    if ctype:
        return False
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def _html_lang(body: bytes) -> str | None:
    match = _LANG.search(body[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def extract_page(body: bytes, *, url: str = "", content_type: str = "text/html") -> Extracted:
    """Extract main text and metadata (date, author, language, site name) from an HTML page."""
    if not is_html(content_type, body):
        return Extracted(ok=False, reason="not_html")
    try:
        raw = trafilatura.extract(
            body,
            url=url or None,
            output_format="json",
            with_metadata=True,
            **EXTRACT_OPTIONS,  # type: ignore[arg-type]
        )
    except Exception:  # noqa: BLE001 - a page that breaks the extractor is one failed item
        return Extracted(ok=False, reason="extraction_error")
    data = json.loads(raw) if raw else {}
    text = (data.get("text") or "").strip()
    if len(text) < MIN_TEXT_CHARS:
        reason = "paywalled" if _PAYWALL.search(body[:500_000]) else "too_short"
        return Extracted(ok=False, reason=reason, text=text)
    return Extracted(
        ok=True,
        text=text,
        title=data.get("title") or None,
        author=data.get("author") or None,
        published_at=parse_iso_datetime(data.get("date")),
        language=data.get("language") or _html_lang(body),
        site_name=data.get("source-hostname") or data.get("sitename") or None,
    )


# ----------------------------------------------------------------- benchmark scoring


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def score_shingles(true: str, pred: str) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of 4-gram shingles."""
    t, p = _shingles(true), _shingles(pred)
    return sum((t & p).values()), sum((p - t).values()), sum((t - p).values())


def summarise_scores(counts: list[tuple[int, int, int]]) -> dict[str, float]:
    """Mean precision and recall over documents and their F1, as the benchmark reports them."""
    precisions = [tp / (tp + fp) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, fp, fn in counts if tp + fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "n": len(counts)}
