"""Render a digest as an email body: plain text and HTML (Jinja2, autoescaped; CSS inlined).

The HTML is one column with a max width, no images, and real text everywhere, so it reads the
same with images off and on a phone. All feed text is HTML-escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.briefing import badge_text, safe_url, topic_title
from bot.briefing.build import story_count
from bot.briefing.render_markdown import format_period, format_tally
from bot.briefing.render_text import render_text


@dataclass(frozen=True)
class RenderedEmail:
    """Subject and both bodies of one digest email."""

    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot.briefing", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.globals["badge"] = badge_text
    env.globals["tally"] = format_tally
    return env


def subject_for(digest: dict[str, Any], tz: str | None = None) -> str:
    """ "AI industry briefing, 2026-11-22: 12 stories" (the date in the reader's time zone)."""
    day = format_period(digest, tz).split(" → ")[-1][:10]
    n = story_count(digest)
    return (
        f"{digest.get('title', 'AI industry briefing')}, {day}: {n} stor{'y' if n == 1 else 'ies'}"
    )


def render_html(
    digest: dict[str, Any], unsubscribe_url: str | None = None, tz: str | None = None
) -> str:
    """The HTML body with CSS inlined into style attributes (mail clients drop <style>)."""
    topics = ", ".join(topic_title(t) for t in digest.get("filters", {}).get("topics") or [])
    html = (
        _environment()
        .get_template("email.html")
        .render(
            digest=digest,
            period=format_period(digest, tz),
            unsubscribe_url=unsubscribe_url,
            topics=topics,
        )
    )
    # keep_style_tags: some clients (and the media query-less phone view) still read them
    return css_inline.CSSInliner(keep_style_tags=True).inline(html)


def render_email(
    digest: dict[str, Any], unsubscribe_url: str | None = None, tz: str | None = None
) -> RenderedEmail:
    """Subject, plain-text and HTML bodies of the digest email (dates in ``tz`` when given)."""
    return RenderedEmail(
        subject=subject_for(digest, tz),
        text=render_text(digest, unsubscribe_url, tz),
        html=render_html(digest, unsubscribe_url, tz),
    )
