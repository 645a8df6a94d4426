"""Slack Block Kit rendering: limits, escaping, fallback text, overflow into thread parts."""

from __future__ import annotations

import copy
import json

from sqlalchemy.engine import Engine

from bot.briefing.build import build_digest
from bot.briefing.render_slack import escape_slack, fit_mrkdwn, render_slack, slack_link
from bot.config import Settings
from tests.briefing.factory import NOW, seed_briefing


def _check_limits(messages: list[dict]) -> None:
    for msg in messages:
        assert msg["text"], "every message needs a text fallback"
        assert 1 <= len(msg["blocks"]) <= 50
        for block in msg["blocks"]:
            text = (block.get("text") or {}).get("text", "")
            if block["type"] == "header":
                assert len(text) <= 150
            if block["type"] == "section":
                assert len(text) <= 3000


def test_escaping_of_feed_text() -> None:
    assert escape_slack("<!channel> & <script>") == "&lt;!channel&gt; &amp; &lt;script&gt;"
    assert slack_link("A|B <x>", "https://e.example/?a=1&b=<2>") == (
        "<https://e.example/?a=1&amp;b=%3C2%3E|A¦B &lt;x&gt;>"
    )
    assert slack_link("js", "javascript:alert(1)") == "js"  # not a link at all


def test_fit_never_cuts_inside_a_link_or_entity() -> None:
    text = "x" * 2990 + "<https://example.com/long|label>"
    assert fit_mrkdwn(text).endswith("x…")
    text = "y" * 2997 + "&amp;"
    assert fit_mrkdwn(text) == "y" * 2997 + "…"


def test_digest_messages_escape_evil_title(engine: Engine) -> None:
    seed_briefing(engine)
    digest = build_digest(engine, Settings(), audience="t", now=NOW)
    messages = render_slack(digest)
    _check_limits(messages)
    dump = json.dumps(messages)
    assert "<!channel>" not in dump and "<script>" not in dump
    assert "&lt;!channel&gt; &amp; &lt;script&gt;" in dump
    assert "<https://wire.example/acme|Wire News>" in dump
    assert "Deployed 1" in dump


def test_overflow_goes_into_more_messages_within_limits(engine: Engine) -> None:
    seed_briefing(engine)
    digest = build_digest(engine, Settings(), audience="t", now=NOW)
    big = copy.deepcopy(digest)
    story = big["sections"][0]["stories"][0]
    story["summary"] = "Long summary sentence. " * 400  # far beyond 3,000 characters
    story["headline"] = "H" * 400
    big["sections"][0]["stories"] = [dict(story, story_id=i) for i in range(120)]
    messages = render_slack(big)
    assert len(messages) >= 3
    _check_limits(messages)
    sections = [b for m in messages for b in m["blocks"] if b["type"] == "section"]
    # nothing dropped: every story is in some message, each with its source links intact
    assert (
        sum(
            1
            for b in sections
            if "Sources: <https://lab.example/model|Lab Blog>" in b["text"]["text"]
        )
        == 120
    )
    assert "(part 2 of" in messages[1]["text"]
