"""Email delivery against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.delivery.send import is_due, send_digests
from bot.delivery.subscribers import add_subscriber, unsubscribe
from bot.errors import ConfigError
from bot.store.db import session_scope
from bot.store.models import Delivery
from tests.briefing.factory import NOW, add_source, add_story, seed_briefing
from tests.peers.smtp import SmtpServer, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def _mail(settings: Settings, smtp: SmtpServer) -> Settings:
    return dataclasses.replace(
        settings, smtp_host=smtp.host, smtp_port=smtp.port, smtp_from="Briefing <briefing@example.org>",
        secret="test-secret", public_url="https://briefing.example.org",
    )  # fmt: skip


def _new_story(engine: Engine, title: str, topic: str, when) -> None:  # type: ignore[no-untyped-def]
    slug = "src-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    src = add_source(engine, slug, "Later Outlet")
    add_story(engine, title, topic=topic, seen_at=when,
              articles=[{"url": f"https://later.example/{slug}", "source_id": src,
                         "text": "The company rolled out the system to all its customers this week."}])  # fmt: skip


def _parts(msg) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_payload()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    return text.get_content(), html.get_content()


def test_each_subscriber_gets_their_topics_with_unsubscribe_headers(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    seed_briefing(engine)
    add_subscriber(
        engine, "alice@example.com", topics=["agents", "regulation"], timezone="Asia/Tokyo"
    )
    add_subscriber(engine, "bob@example.com", labels=["hype"])
    report = send_digests(engine, _mail(settings, smtp), to="email", now=NOW)
    assert report["totals"] == {"sent": 2}
    [alice] = smtp.to("alice@example.com")
    [bob] = smtp.to("bob@example.com")
    for msg, addr in ((alice, "alice@example.com"), (bob, "bob@example.com")):
        assert msg["To"] == addr and msg["From"] == "Briefing <briefing@example.org>"
        assert msg["Message-ID"] and msg["Date"]
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        https, mailto = [p.strip(" <>") for p in msg["List-Unsubscribe"].split(",")]
        assert https.startswith("https://briefing.example.org/unsubscribe?token=")
        assert mailto.startswith("mailto:briefing@example.org?subject=unsubscribe")
        text, html = _parts(msg)
        assert https in text and https in html.replace("&amp;", "&")
        assert "<script>" not in html
    a_text, _ = _parts(alice)
    assert "2026-11-21 15:00 → 2026-11-22 15:00 Asia/Tokyo" in a_text  # her time zone
    assert "2026-11-21 06:00 → 2026-11-22 06:00 UTC" in _parts(bob)[0]
    assert "AGENTS" in a_text and "REGULATION" in a_text
    assert "INVESTMENT" not in a_text and "MODELS" not in a_text
    b_text, _ = _parts(bob)
    assert "MODELS" in b_text and "INVESTMENT" in b_text and "AGENTS" not in b_text
    with session_scope(engine) as session:
        rows = session.exec(select(Delivery).order_by(Delivery.recipient)).all()
        assert [(r.recipient, r.status) for r in rows] == [
            ("alice@example.com", "sent"),
            ("bob@example.com", "sent"),
        ]
        assert rows[0].external_id == alice["Message-ID"]
    # same day again: daily subscribers already got today's; nothing is sent twice
    again = send_digests(engine, _mail(settings, smtp), to="email", now=NOW + timedelta(hours=2))
    assert again["totals"] == {"not_due": 2} and len(smtp.messages) == 2


def test_unsubscribing_stops_the_next_send(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    cfg = _mail(settings, smtp)
    seed_briefing(engine)
    add_subscriber(engine, "alice@example.com")
    add_subscriber(engine, "bob@example.com")
    send_digests(engine, cfg, to="email", now=NOW)
    [msg] = smtp.to("alice@example.com")
    token = parse_qs(urlsplit(msg["List-Unsubscribe"].split(",")[0].strip(" <>")).query)["token"][0]
    assert unsubscribe(engine, cfg, token) == "alice@example.com"
    tomorrow = NOW + timedelta(days=1)
    _new_story(engine, "Next day agent rollout", "agents", tomorrow - timedelta(hours=1))
    report = send_digests(engine, cfg, to="email", now=tomorrow)
    assert report["totals"] == {"sent": 1}
    assert len(smtp.to("alice@example.com")) == 1 and len(smtp.to("bob@example.com")) == 2


def test_failed_recipient_is_retried_with_backoff_and_sent_once(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    cfg = _mail(settings, smtp)
    seed_briefing(engine)
    add_subscriber(engine, "alice@example.com")
    add_subscriber(engine, "bob@example.com")
    smtp.refuse("bob@example.com")
    first = send_digests(engine, cfg, to="email", now=NOW)
    assert first["totals"] == {"sent": 1, "failed": 1}
    failed = next(d for d in first["deliveries"] if d["status"] == "failed")
    assert failed["recipient"] == "bob@example.com" and "550" in failed["error"]
    assert failed["retry_at"] == (NOW + timedelta(minutes=5)).isoformat()
    smtp.accept("bob@example.com")
    early = send_digests(engine, cfg, to="email", now=NOW + timedelta(minutes=2))
    assert {d["recipient"]: d["status"] for d in early["deliveries"]} == {
        "alice@example.com": "not_due", "bob@example.com": "waiting"}  # fmt: skip
    retry = send_digests(engine, cfg, to="email", now=NOW + timedelta(minutes=6))
    assert {d["recipient"]: d["status"] for d in retry["deliveries"]} == {
        "alice@example.com": "not_due", "bob@example.com": "sent"}  # fmt: skip
    assert len(smtp.to("bob@example.com")) == 1 and len(smtp.to("alice@example.com")) == 1


def test_weekly_subscriber_gets_at_most_one_per_seven_days(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    cfg = _mail(settings, smtp)
    seed_briefing(engine)
    add_subscriber(engine, "w@example.com", frequency="weekly")
    assert send_digests(engine, cfg, to="email", now=NOW)["totals"] == {"sent": 1}
    for day in range(1, 7):
        when = NOW + timedelta(days=day)
        _new_story(engine, f"Rollout on day {day}", "agents", when - timedelta(hours=1))
        assert send_digests(engine, cfg, to="email", now=when)["totals"] == {"not_due": 1}
    week = NOW + timedelta(days=7)
    assert send_digests(engine, cfg, to="email", now=week)["totals"] == {"sent": 1}
    [_, second] = smtp.to("w@example.com")
    text, _ = _parts(second)
    # the weekly digest covers the whole week since the last one
    assert all(f"Rollout on day {d}" in text for d in range(1, 7))


def test_daily_follows_the_subscriber_time_zone() -> None:
    sent = NOW  # 06:00 UTC = 15:00 in Tokyo
    assert not is_due("daily", "UTC", sent, NOW + timedelta(hours=10))  # 16:00 UTC, same UTC day
    assert is_due("daily", "Asia/Tokyo", sent, NOW + timedelta(hours=10))  # 01:00 next day in Tokyo
    assert not is_due("weekly", "UTC", sent, NOW + timedelta(days=6, hours=17))
    assert is_due("weekly", "UTC", sent, NOW + timedelta(days=7))


def test_missing_secret_is_a_config_error_naming_it(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    add_subscriber(engine, "alice@example.com")
    cfg = dataclasses.replace(_mail(settings, smtp), secret=None)
    with pytest.raises(ConfigError, match="BRIEFING_SECRET"):
        send_digests(engine, cfg, to="email", now=NOW)
    assert smtp.messages == []


def test_dry_run_renders_without_sending(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    seed_briefing(engine)
    add_subscriber(engine, "alice@example.com", topics=["agents"])
    report = send_digests(engine, _mail(settings, smtp), to="email", dry_run=True, now=NOW)
    [item] = report["deliveries"]
    assert item["status"] == "would_send" and item["stories"] == 1
    assert smtp.messages == []
    with session_scope(engine) as session:
        assert session.exec(select(Delivery)).all() == []


def test_bad_email_settings_stop_before_slack_posts(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    from tests.peers.slack import slack_stand_in

    seed_briefing(engine)
    add_subscriber(engine, "alice@example.com")
    with slack_stand_in() as slack:
        cfg = dataclasses.replace(
            _mail(settings, smtp), public_url=None, slack_token="xoxb-1", slack_channel="C1",
            slack_api_url=slack.api_url,
        )  # fmt: skip
        with pytest.raises(ConfigError, match="BRIEFING_PUBLIC_URL"):
            send_digests(engine, cfg, to="all", now=NOW)
        assert slack.attempts == [] and smtp.messages == []
