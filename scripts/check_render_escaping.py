"""Robustness: every feed in feedparser's test corpus through the briefing renderers.

Each parsed entry (title, summary, content, link, feed title as outlet name) becomes a story of a
digest; the digest is rendered for Slack (Block Kit), email (HTML + text) and Markdown, and
checked: no Slack text contains ``<`` or ``>`` except our own ``<https://...|label>`` links and
quote markers; the HTML contains only the template's tags, no ``on*`` attributes and only http(s)
links. Prints files, entries, renderer exceptions and violations (all should be zero but files).

    python scripts/check_render_escaping.py [--corpus ../shared/data/feeds/feedparser_tests]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "data" / "feeds" / "feedparser_tests"
OUR_LINK = re.compile(r"<https?://[^|<>\s]+\|[^<>]*>")
TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "h3", "p",
                 "span", "strong", "a", "ul", "li", "br"}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TEMPLATE_TAGS:
            self.bad.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"attribute {name}")
            if name == "href" and not (value or "").startswith(("https://", "http://")):
                self.bad.append(f"href {value!r}")


def digest_for(path: Path) -> tuple[dict[str, Any], int]:
    """A one-section digest with one story per entry of the feed at ``path``."""
    from bot.briefing.summary import summarize_story
    from bot.briefing.text import clean_text

    parsed = feedparser.parse(path.read_bytes())
    outlet = str(parsed.feed.get("title") or path.stem)
    stories = []
    for i, entry in enumerate(parsed.entries or [{}]):
        raw_title = str(entry.get("title") or parsed.feed.get("title") or "")
        body = " ".join(str(c.get("value", "")) for c in entry.get("content", []) or [])
        summary = str(entry.get("summary") or "") + " " + body
        stories.append({
            "story_id": i, "headline": raw_title or "(untitled)",
            "summary": summarize_story(raw_title, [clean_text(summary, strip_tags=True)]) or summary[:300],
            "label": "hype", "subtype": "announcement", "confidence": 0.5,
            "evidence": [summary[:200]], "n_outlets": 1, "follow_up": i % 2 == 0,
            "sources": [{"name": outlet, "url": str(entry.get("link") or parsed.feed.get("link") or "")}],
        })  # fmt: skip
    digest = {
        "title": "Robustness", "period": {"start": "2026-01-01T00:00:00", "end": "2026-01-02T00:00:00"},
        "filters": {"topics": [], "labels": []},
        "key_numbers": [{"value": stories[0]["headline"][:40], "kind": "announced", "context": stories[0]["summary"][:100],
                         "source": stories[0]["sources"][0]}],
        "sections": [{"topic": "safety", "title": "Safety", "stories": stories,
                      "tally": {"deployed": 0, "announced": len(stories), "other": 0}}],
        "under_the_radar": [{"headline": s["headline"], "label": "hype", "subtype": None, "sources": s["sources"]} for s in stories[:3]],
        "contradictions": [], "stats": {"included": len(stories)},
    }  # fmt: skip
    return digest, len(parsed.entries)


def check(digest: dict[str, Any]) -> list[str]:
    """Violations of the escaping rules in all renderings of ``digest``."""
    from bot.briefing.render_email import render_email
    from bot.briefing.render_markdown import render_markdown
    from bot.briefing.render_slack import render_slack

    problems: list[str] = []
    for msg in render_slack(digest):
        texts = [msg["text"]]
        for block in msg["blocks"]:
            texts.append((block.get("text") or {}).get("text", ""))
            texts += [e.get("text", "") for e in block.get("elements", [])]
            if block["type"] == "header" and len(block["text"]["text"]) > 150:
                problems.append("slack header > 150")
            if block["type"] == "section" and len(block["text"]["text"]) > 3000:
                problems.append("slack section > 3000")
        if len(msg["blocks"]) > 50:
            problems.append("slack > 50 blocks")
        for text in texts:
            rest = re.sub(r"(?m)^> ", "", OUR_LINK.sub("", text))
            if "<" in rest or ">" in rest:
                problems.append(f"slack markup: {rest[:80]!r}")
    email = render_email(digest, "https://b.example/unsubscribe?token=t")
    parser = _Tags()
    parser.feed(email.html)
    problems += parser.bad
    render_markdown(digest)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    args = parser.parse_args()
    files = sorted(
        p
        for p in args.corpus.rglob("*")
        if p.is_file() and p.suffix in {".xml", ".json", ".rdf", ".atom"}
    )
    if not files:
        print(f"no feed files under {args.corpus}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    entries = errors = 0
    violations: list[tuple[Path, str]] = []
    for path in files:
        try:
            digest, n = digest_for(path)
            entries += n
            violations += [(path, p) for p in check(digest)]
        except Exception as exc:  # noqa: BLE001 - counting unhandled errors is the point
            errors += 1
            print(
                f"ERROR {path.relative_to(args.corpus)}: {type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
    for path, problem in violations[:20]:
        print(f"VIOLATION {path.relative_to(args.corpus)}: {problem}")
    secs = time.perf_counter() - started
    print(f"files={len(files)} entries={entries} renderer_exceptions={errors} "
          f"escaping_violations={len(violations)} seconds={secs:.1f}")  # fmt: skip
    return 1 if errors or violations else 0


if __name__ == "__main__":
    sys.exit(main())
