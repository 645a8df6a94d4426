"""Render a digest as plain text: the email's text part and ``--format text``."""

from __future__ import annotations

import textwrap
from typing import Any

from bot.briefing import badge_text, safe_url
from bot.briefing.render_markdown import format_period, format_tally

WIDTH = 78


def _wrap(text: str, indent: str = "", rest: str | None = None) -> list[str]:
    rest = indent if rest is None else rest
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=rest) or [""]


def _source_lines(sources: list[dict[str, str]], indent: str = "   ") -> list[str]:
    lines = []
    for s in sources:
        url = safe_url(s.get("url"))
        lines.append(f"{indent}- {s['name']}: {url}" if url else f"{indent}- {s['name']}")
    return lines


def render_text(
    digest: dict[str, Any], unsubscribe_url: str | None = None, tz: str | None = None
) -> str:
    """The digest as wrapped plain text; every story lists its sources with full URLs."""
    title = digest.get("title", "AI industry briefing")
    out = [title, "=" * len(title), format_period(digest, tz), ""]
    if not digest.get("sections"):
        out += ["No new AI-industry stories in this period.", ""]
    if digest.get("key_numbers"):
        out += ["KEY NUMBERS", ""]
        for num in digest["key_numbers"]:
            out += _wrap(f"* {num['value']} [{num['kind']}] {num['context']}", "", "  ")
            out.append(f"  ({num['source']['name']})")
        out.append("")
    for section in digest.get("sections", []):
        heading = section["title"].upper()
        out += [heading, "-" * len(heading), ""]
        for i, story in enumerate(section["stories"], 1):
            flag = " (follow-up)" if story.get("follow_up") else ""
            out += _wrap(f"{i}. {story['headline']}{flag}", "", "   ")
            out.append(f"   [{badge_text(story.get('label'), story.get('subtype'))}]")
            if story.get("summary"):
                out += _wrap(story["summary"], "   ")
            for quote in story.get("evidence") or []:
                out += _wrap(f'Evidence: "{quote}"', "   ")
            out.append("   Sources:")
            out += _source_lines(story.get("sources", []), "   ")
            out.append("")
        out += [format_tally(section["tally"]), ""]
    if digest.get("under_the_radar"):
        out += ["UNDER THE RADAR", ""]
        for item in digest["under_the_radar"]:
            out += _wrap(f"* {item['headline']}", "", "  ")
            out += _source_lines(item.get("sources", []), "  ")
        out.append("")
    if digest.get("contradictions"):
        out += ["CONTRADICTIONS", ""]
        for item in digest["contradictions"]:
            out += _wrap(f"* {item['headline']} ({item['measure']}):", "", "  ")
            for claim in item["claims"]:
                url = safe_url(claim["source"].get("url")) or ""
                out.append(f"  - {claim['value']} according to {claim['source']['name']} {url}")
        out.append("")
    if unsubscribe_url:
        out += ["--", f"Unsubscribe: {unsubscribe_url}", ""]
    return "\n".join(out).rstrip() + "\n"
