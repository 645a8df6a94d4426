"""Markdown and plain text for the terminal."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.briefing.build import build_digest
from bot.briefing.render_markdown import render_markdown
from bot.briefing.render_text import render_text
from bot.config import Settings
from tests.briefing.factory import NOW, seed_briefing


def test_markdown_has_all_parts_in_order(engine: Engine) -> None:
    seed_briefing(engine)
    md = render_markdown(build_digest(engine, Settings(), audience="t", now=NOW))
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads == ["## Key numbers", "## Models", "## Agents", "## Investment", "## Chips",
                     "## Regulation", "## Under the radar", "## Contradictions"]  # fmt: skip
    assert "**[DEPLOYED]**" in md and "**[HYPE · FUNDING]**" in md
    assert "[Wire News](<https://wire.example/scribe>)" in md
    assert "\\<script\\>" in md  # the title can't inject HTML into a Markdown viewer
    assert "_Deployed 1 · Announced 0 · Other 0_" in md
    assert "- **$2.5 billion** according to [Tech Daily](<https://daily.example/acme>)" in md


def test_empty_period_says_so(engine: Engine) -> None:
    digest = build_digest(engine, Settings(), audience="t", now=NOW)
    assert "No new AI-industry stories in this period." in render_markdown(digest)
    assert "No new AI-industry stories in this period." in render_text(digest)
