"""Render a digest as Markdown, for the terminal and for files."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.briefing import badge_text, safe_url

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
KIND_NAMES = {
    "deployed": "deployed",
    "announced": "announced",
    "forecast": "forecast",
    "funding": "funding",
    "benchmark": "benchmark",
}


def escape_md(text: str) -> str:
    """Feed text with Markdown control characters escaped (titles can't inject links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


def md_link(name: str, url: str | None) -> str:
    """``[name](<url>)``, or the bare escaped name when the URL is not http(s)."""
    url = safe_url(url)
    if not url:
        return escape_md(name)
    return f"[{escape_md(name)}](<{url.replace('<', '%3C').replace('>', '%3E')}>)"


def _local(value: str | None, tz: str | None) -> str:
    if not value:
        return ""
    if tz:
        try:
            return datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        except (ValueError, ZoneInfoNotFoundError):
            pass
    return value[:16].replace("T", " ")


def format_period(digest: dict[str, Any], tz: str | None = None) -> str:
    """ "2026-11-21 06:00 → 2026-11-22 06:00 UTC", in the reader's time zone when given."""
    period = digest.get("period") or {}
    start, end = _local(period.get("start"), tz), _local(period.get("end"), tz)
    return f"{start} → {end} {tz or 'UTC'}"


def format_tally(tally: dict[str, int]) -> str:
    """The per-section line: "Deployed 2 · Announced 3 · Other 1"."""
    return f"Deployed {tally['deployed']} · Announced {tally['announced']} · Other {tally['other']}"


def _sources(sources: list[dict[str, str]]) -> str:
    return ", ".join(md_link(s["name"], s.get("url")) for s in sources) or "no source link"


def _story(story: dict[str, Any]) -> list[str]:
    flag = " *(follow-up)*" if story.get("follow_up") else ""
    lines = [f"### {escape_md(story['headline'])}{flag}", ""]
    badge = f"**[{badge_text(story.get('label'), story.get('subtype'))}]**"
    if story.get("confidence") is not None:
        badge += f" confidence {story['confidence']:.2f}"
    lines.append(badge)
    lines.append("")
    if story.get("summary"):
        lines += [escape_md(story["summary"]), ""]
    for quote in story.get("evidence") or []:
        lines.append(f"> {escape_md(quote)}")
    if story.get("evidence"):
        lines.append("")
    n = story.get("n_outlets", len(story.get("sources", [])))
    lines += [f"Sources ({n}): {_sources(story.get('sources', []))}", ""]
    return lines


def render_markdown(digest: dict[str, Any]) -> str:
    """The whole digest as Markdown (headline sections in the fixed order; empty ones left out)."""
    out = [f"# {escape_md(digest.get('title', 'AI industry briefing'))}", ""]
    out += [f"_{format_period(digest)}_", ""]
    if not digest.get("sections"):
        stats = digest.get("stats", {})
        out += ["No new AI-industry stories in this period.", ""]
        if stats.get("unclassified"):
            out += [f"({stats['unclassified']} stories are still waiting for classification.)", ""]
        return "\n".join(out).rstrip() + "\n"
    if digest.get("key_numbers"):
        out += ["## Key numbers", ""]
        for num in digest["key_numbers"]:
            source = md_link(num["source"]["name"], num["source"].get("url"))
            out.append(
                f"- **{escape_md(num['value'])}** [{num['kind']}] — "
                f"{escape_md(num['context'])} ({source})"
            )
        out.append("")
    for section in digest["sections"]:
        out += [f"## {escape_md(section['title'])}", ""]
        for story in section["stories"]:
            out += _story(story)
        out += [f"_{format_tally(section['tally'])}_", ""]
    if digest.get("under_the_radar"):
        out += ["## Under the radar", ""]
        for item in digest["under_the_radar"]:
            badge = badge_text(item.get("label"), item.get("subtype"))
            out.append(
                f"- {escape_md(item['headline'])} [{badge}] — {_sources(item.get('sources', []))}"
            )
        out.append("")
    if digest.get("contradictions"):
        out += ["## Contradictions", ""]
        for item in digest["contradictions"]:
            out.append(f"- {escape_md(item['headline'])} — {escape_md(item['measure'])}:")
            for claim in item["claims"]:
                source = md_link(claim["source"]["name"], claim["source"].get("url"))
                out.append(f"  - **{escape_md(claim['value'])}** according to {source}")
        out.append("")
    stats = digest.get("stats", {})
    out.append(
        f"_{stats.get('included', 0)} stories; {stats.get('unclassified', 0)} awaiting "
        f"classification; {stats.get('off_topic', 0)} off-topic left out._"
    )
    return "\n".join(out).rstrip() + "\n"
