"""Slack delivery against a real stand-in Web API on 127.0.0.1 that slack-sdk talks to."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.delivery.send import send_digests
from bot.errors import ConfigError
from bot.store.db import session_scope
from bot.store.models import Delivery, Digest
from tests.briefing.factory import NOW, add_source, add_story, seed_briefing
from tests.peers.slack import SlackStandIn, slack_stand_in


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with slack_stand_in() as stand_in:
        yield stand_in


def _web(settings: Settings, slack: SlackStandIn) -> Settings:
    return dataclasses.replace(
        settings, slack_token="xoxb-test", slack_channel="C123", slack_api_url=slack.api_url
    )


def _many_stories(engine: Engine, n: int) -> None:
    src = add_source(engine, "many", "Many Outlet")
    for i in range(n):
        add_story(engine, f"Agent rollout number {i}", topic="agents", importance=1 - i / 1000,
                  articles=[{"url": f"https://many.example/{i}", "source_id": src,
                             "text": f"Company {i} rolled out an AI agent to its support staff this week."}])  # fmt: skip


def _deliveries(engine: Engine) -> list[Delivery]:
    with session_scope(engine) as session:
        return list(session.exec(select(Delivery).order_by(Delivery.id)).all())


def test_posts_digest_escaped_within_limits_and_never_twice(
    engine: Engine, settings: Settings, slack: SlackStandIn
) -> None:
    seed_briefing(engine)
    report = send_digests(engine, _web(settings, slack), to="slack", now=NOW)
    assert report["totals"] == {"sent": 1}
    [call] = slack.calls
    assert call["channel"] == "C123" and call["token"] == "xoxb-test" and call["text"]
    dump = json.dumps(call["blocks"])
    assert "<!channel>" not in dump and "<script>" not in dump
    assert "&lt;!channel&gt; &amp; &lt;script&gt;" in dump
    assert "<!channel>" not in call["text"]
    [row] = _deliveries(engine)
    assert (row.status, row.external_id, row.channel, row.recipient) == (
        "sent",
        call["ts"],
        "slack",
        "C123",
    )
    # a second send, now or later with nothing new, posts nothing
    again = send_digests(engine, _web(settings, slack), to="slack", now=NOW)
    later = send_digests(engine, _web(settings, slack), to="slack", now=NOW + timedelta(hours=1))
    assert len(slack.calls) == 1
    assert again["totals"] == {"skipped_empty": 1} and later["totals"] == {"skipped_empty": 1}


def test_overflow_is_threaded_under_the_head_message(
    engine: Engine, settings: Settings, slack: SlackStandIn
) -> None:
    _many_stories(engine, 8)  # 8 per section max: fill several sections
    for topic in ("models", "chips", "safety", "workforce", "regulation", "investment"):
        src = add_source(engine, f"s-{topic}", f"Outlet {topic}")
        for i in range(8):
            add_story(engine, f"{topic} story {i}", topic=topic, label="hype", subtype="announcement",
                      articles=[{"url": f"https://{topic}.example/{i}", "source_id": src,
                                 "text": "The company announced a product that is coming next year to customers."}])  # fmt: skip
    send_digests(engine, _web(settings, slack), to="slack", now=NOW)
    assert len(slack.calls) >= 2
    head, *replies = slack.calls
    assert "thread_ts" not in head or head["thread_ts"] is None
    assert all(r["thread_ts"] == head["ts"] for r in replies)
    assert all(len(c["blocks"]) <= 50 and c["text"] for c in slack.calls)
    [row] = _deliveries(engine)
    assert row.parts_sent == len(slack.calls) and row.external_id == head["ts"]


def test_429_with_retry_after_then_success(
    engine: Engine, settings: Settings, slack: SlackStandIn
) -> None:
    seed_briefing(engine)
    slack.fail_next(429, retry_after=1)
    started = time.monotonic()
    report = send_digests(engine, _web(settings, slack), to="slack", now=NOW)
    elapsed = time.monotonic() - started
    assert report["totals"] == {"sent": 1}
    assert len(slack.attempts) == 2 and len(slack.calls) == 1
    assert elapsed >= 1.0  # Retry-After honoured


def test_500_then_success(engine: Engine, settings: Settings, slack: SlackStandIn) -> None:
    seed_briefing(engine)
    slack.fail_next(500)
    report = send_digests(engine, _web(settings, slack), to="slack", now=NOW)
    assert report["totals"] == {"sent": 1}
    assert len(slack.attempts) == 2 and len(slack.calls) == 1


def test_partial_failure_resumes_in_the_same_thread_without_reposting(
    engine: Engine, settings: Settings, slack: SlackStandIn
) -> None:
    _many_stories(engine, 8)
    for topic in ("models", "chips", "safety", "workforce", "regulation", "investment"):
        src = add_source(engine, f"s-{topic}", f"Outlet {topic}")
        for i in range(8):
            add_story(engine, f"{topic} story {i}", topic=topic,
                      articles=[{"url": f"https://{topic}.example/{i}", "source_id": src, "text": "t"}])  # fmt: skip
    # the head goes out, then Slack breaks (Retry-After: 0 keeps the bounded retries quick)
    slack.fail_next(502, retry_after=0, times=10, after_calls=1)
    first = send_digests(engine, _web(settings, slack), to="slack", now=NOW)
    assert first["totals"] == {"failed": 1}
    assert len(slack.calls) == 1
    [row] = _deliveries(engine)
    assert row.status == "failed" and row.parts_sent == 1 and row.attempts == 1
    assert len(slack.attempts) == 1 + 4  # the head, then 1 try + 3 bounded retries of part 2
    assert row.next_attempt_at is not None and "502" in (row.last_error or "")
    # too early: waits for the backoff, posts nothing, builds nothing new
    early = send_digests(engine, _web(settings, slack), to="slack", now=NOW + timedelta(minutes=1))
    assert early["totals"] == {"waiting": 1} and len(slack.calls) == 1
    slack.failures.clear()
    retry = send_digests(engine, _web(settings, slack), to="slack", now=NOW + timedelta(minutes=10))
    assert retry["totals"] == {"sent": 1}
    head, *replies = slack.calls
    assert len(replies) >= 1 and all(r["thread_ts"] == head["ts"] for r in replies)
    texts = [json.dumps(c["blocks"]) for c in slack.calls]
    assert len(set(texts)) == len(texts)  # nothing posted twice
    with session_scope(engine) as session:
        assert len(session.exec(select(Digest)).all()) == 1


def test_webhook_posts_unthreaded(engine: Engine, settings: Settings, slack: SlackStandIn) -> None:
    seed_briefing(engine)
    hooked = dataclasses.replace(settings, slack_webhook_url=slack.webhook_url)
    slack.fail_next(503)  # retried like the Web API
    report = send_digests(engine, hooked, to="slack", now=NOW)
    assert report["totals"] == {"sent": 1}
    assert len(slack.webhook_posts) == 1 and slack.calls == [] and len(slack.attempts) == 2
    assert "<!channel>" not in json.dumps(slack.webhook_posts)
    assert _deliveries(engine)[0].recipient == "webhook"


def test_dry_run_sends_and_writes_nothing(
    engine: Engine, settings: Settings, slack: SlackStandIn
) -> None:
    seed_briefing(engine)
    report = send_digests(engine, _web(settings, slack), to="slack", dry_run=True, now=NOW)
    assert report["totals"] == {"would_send": 1}
    assert slack.attempts == [] and _deliveries(engine) == []
    with session_scope(engine) as session:
        assert session.exec(select(Digest)).all() == []


def test_slack_not_configured(engine: Engine, settings: Settings) -> None:
    with pytest.raises(ConfigError, match="BRIEFING_SLACK_TOKEN"):
        send_digests(engine, settings, to="slack", now=NOW)
    report = send_digests(engine, settings, to="all", now=NOW)
    assert report["totals"] == {} and any("slack: not configured" in n for n in report["notes"])


def test_503_with_retry_after_is_honoured(
    engine: Engine, settings: Settings, slack: SlackStandIn
) -> None:
    seed_briefing(engine)
    slack.fail_next(503, retry_after=1)  # backoff alone would wait 0.5 s
    started = time.monotonic()
    report = send_digests(engine, _web(settings, slack), to="slack", now=NOW)
    assert report["totals"] == {"sent": 1} and len(slack.attempts) == 2
    assert time.monotonic() - started >= 1.0
