"""Render a digest as Slack Block Kit messages.

Slack limits (stack.md): 50 blocks per message, 3,000 characters per section text, 150 per header.
All feed text is escaped (``&``, ``<``, ``>``) so a title like ``<!channel>`` cannot ping anyone;
links are ``<url|label>`` with the label escaped. Every message carries a ``text`` fallback. The
first message is the digest's head; the rest are meant to be posted as thread replies to it.
"""

from __future__ import annotations

from typing import Any

from bot.briefing import badge_text, safe_url
from bot.briefing.render_markdown import format_period, format_tally
from bot.briefing.text import shorten

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_FALLBACK_CHARS = 3000
BADGE_EMOJI = {"deployment": ":white_check_mark:", "hype": ":loudspeaker:", "neither": ":mag:"}


def escape_slack(text: str) -> str:
    """Escape the three characters Slack treats as control sequences."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(label: str, url: str | None) -> str:
    """``<url|label>`` with both parts made safe; a bare escaped label when the URL is unusable."""
    url = safe_url(url)
    label_text = escape_slack(label).replace("|", "¦")
    if not url:
        return label_text
    url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{url}|{label_text}>"


def fit_mrkdwn(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    """Cut escaped mrkdwn to ``limit`` characters without breaking an entity or a link."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind("<") > cut.rfind(">"):  # inside a <url|label>
        cut = cut[: cut.rfind("<")]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:  # inside &amp; / &lt; / &gt;
        cut = cut[:amp]
    return cut.rstrip() + "…"


def _header(text: str) -> dict[str, Any]:
    # header blocks are plain_text: Slack does not parse mentions or links there
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": shorten(text, MAX_HEADER_CHARS), "emoji": True},
    }


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit_mrkdwn(mrkdwn)}}


def _context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": fit_mrkdwn(mrkdwn)}]}


def _story_text(story: dict[str, Any]) -> str:
    emoji = BADGE_EMOJI.get(story.get("label") or "", ":grey_question:")
    badge = badge_text(story.get("label"), story.get("subtype"))
    flag = "  _follow-up_" if story.get("follow_up") else ""
    lines = [f"*{escape_slack(story['headline'])}*{flag}", f"{emoji} `{badge}`"]
    if story.get("summary"):
        lines.append(escape_slack(story["summary"]))
    for quote in story.get("evidence") or []:
        lines.append(f"> {escape_slack(shorten(quote, 400))}")
    links = " · ".join(slack_link(s["name"], s.get("url")) for s in story.get("sources", []))
    # sources go first into the budget so a long summary can't push them out
    budget = MAX_SECTION_CHARS - len(links) - 20
    body = fit_mrkdwn("\n".join(lines), max(200, budget))
    return f"{body}\nSources: {links}" if links else body


def digest_blocks(digest: dict[str, Any]) -> list[dict[str, Any]]:
    """All blocks of the digest in reading order (before splitting into messages)."""
    blocks: list[dict[str, Any]] = [
        _header(digest.get("title", "AI industry briefing")),
        _context(escape_slack(format_period(digest))),
    ]
    if not digest.get("sections"):
        blocks.append(_section("No new AI-industry stories in this period."))
        return blocks
    if digest.get("key_numbers"):
        lines = ["*Key numbers*"]
        for num in digest["key_numbers"]:
            src = slack_link(num["source"]["name"], num["source"].get("url"))
            lines.append(
                f"• *{escape_slack(num['value'])}* `{num['kind']}` "
                f"{escape_slack(shorten(num['context'], 200))} ({src})"
            )
        blocks.append(_section("\n".join(lines)))
    for section in digest["sections"]:
        blocks.append({"type": "divider"})
        blocks.append(_header(section["title"]))
        for story in section["stories"]:
            blocks.append(_section(_story_text(story)))
        blocks.append(_context(escape_slack(format_tally(section["tally"]))))
    if digest.get("under_the_radar"):
        lines = ["*Under the radar*"]
        for item in digest["under_the_radar"]:
            links = ", ".join(slack_link(s["name"], s.get("url")) for s in item.get("sources", []))
            lines.append(f"• {escape_slack(item['headline'])} ({links})")
        blocks += [{"type": "divider"}, _section("\n".join(lines))]
    if digest.get("contradictions"):
        lines = ["*Contradictions*"]
        for item in digest["contradictions"]:
            claims = "; ".join(
                f"{escape_slack(c['value'])} per {slack_link(c['source']['name'], c['source'].get('url'))}"
                for c in item["claims"]
            )
            lines.append(
                f"• {escape_slack(item['headline'])} ({escape_slack(item['measure'])}): {claims}"
            )
        blocks += [{"type": "divider"}, _section("\n".join(lines))]
    return blocks


def _fallback(digest: dict[str, Any], part: int, parts: int) -> str:
    n = sum(len(s["stories"]) for s in digest.get("sections", []))
    head = f"{digest.get('title', 'AI industry briefing')}: {n} stories, {format_period(digest)}"
    if part > 0:
        return escape_slack(f"{head} (part {part + 1} of {parts})")
    headlines = [s["headline"] for sec in digest.get("sections", []) for s in sec["stories"]][:5]
    text = head + "".join(f"\n• {h}" for h in headlines)
    return fit_mrkdwn(escape_slack(text), MAX_FALLBACK_CHARS)


def render_slack(digest: dict[str, Any]) -> list[dict[str, Any]]:
    """Messages ``{"text", "blocks"}``: the first is the head, the others its thread replies."""
    chunks: list[list[dict[str, Any]]] = [[]]
    for block in digest_blocks(digest):
        current = chunks[-1]
        if len(current) >= MAX_BLOCKS:
            # never leave a section's divider/header dangling at the end of a message
            carry: list[dict[str, Any]] = []
            while current and current[-1]["type"] in {"divider", "header"}:
                carry.insert(0, current.pop())
            chunks.append(carry)
        chunks[-1].append(block)
    parts = len(chunks)
    return [{"text": _fallback(digest, i, parts), "blocks": c} for i, c in enumerate(chunks)]
