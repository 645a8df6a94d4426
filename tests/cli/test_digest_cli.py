"""`briefing digest ...`, `briefing digests` and `briefing subscribers ...` through the real entry point."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.store.db import open_engine
from tests.briefing.factory import NOW, seed_briefing
from tests.peers.slack import slack_stand_in
from tests.peers.smtp import smtp_server

NOW_ARG = ["--now", NOW.isoformat()]


@pytest.fixture
def db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BRIEFING_DATABASE_URL", sqlite_url)
    seed_briefing(open_engine(sqlite_url))
    return sqlite_url


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_build_json_contract(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["digest", "build", "--format", "json", *NOW_ARG], capsys)
    assert code == 0, err
    digest = json.loads(out)
    assert [s["topic"] for s in digest["sections"]] == [
        "models",
        "agents",
        "investment",
        "chips",
        "regulation",
    ]
    story = digest["sections"][1]["stories"][0]
    assert {"story_id", "headline", "summary", "label", "subtype", "evidence", "sources"} <= set(
        story
    )
    assert story["sources"][0] == {"name": "Wire News", "url": "https://wire.example/scribe"}
    assert {"key_numbers", "under_the_radar", "contradictions", "period", "stats"} <= set(digest)


@pytest.mark.parametrize(("fmt", "marker"), [
    ("md", "## Agents"), ("text", "AGENTS\n------"), ("html", "<h2"), ("slack", '"blocks"'),
])  # fmt: skip
def test_build_formats(db: str, capsys: pytest.CaptureFixture[str], fmt: str, marker: str) -> None:
    code, out, err = run(["digest", "build", "--since", "2d", "--format", fmt, *NOW_ARG], capsys)
    assert code == 0, err
    assert marker in out
    if fmt == "slack":
        assert "<!channel>" not in out


def test_build_topics_filter_and_history(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["digest", "build", "--topics", "agents,chips", "--format", "json", *NOW_ARG], capsys
    )
    assert code == 0 and [s["topic"] for s in json.loads(out)["sections"]] == ["agents", "chips"]
    code, out, _ = run(["digests", "--json"], capsys)
    [row] = json.loads(out)
    assert row["audience"] == "terminal" and row["stories"] == 2
    code, out, _ = run(["digests"], capsys)
    assert "terminal" in out and "2 stories" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["digest", "build", "--since", "yesterdayish"], "--since"),
    (["digest", "build", "--labels", "rumour"], "unknown label"),
    (["subscribers", "add", "nobody"], "not an email address"),
    (["subscribers", "unsubscribe", "forged.token"], "BRIEFING_SECRET"),
])  # fmt: skip
def test_bad_input_exit_2_one_line(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_subscribers_commands(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["subscribers", "add", "a@example.com", "--topics", "chips", "--frequency", "weekly",
                "--timezone", "Asia/Tokyo"], capsys)[0] == 0  # fmt: skip
    assert run(["subscribers", "set", "a@example.com", "--labels", "deployment"], capsys)[0] == 0
    code, out, _ = run(["subscribers", "list", "--json"], capsys)
    [sub] = json.loads(out)
    assert (sub["topics"], sub["labels"], sub["frequency"], sub["timezone"]) == (
        ["chips"], ["deployment"], "weekly", "Asia/Tokyo")  # fmt: skip
    monkeypatch.setenv("BRIEFING_SECRET", "s3cret")
    from bot.config import Settings
    from bot.delivery.subscribers import make_unsubscribe_token

    token = make_unsubscribe_token(Settings.from_env(), "a@example.com")
    code, out, _ = run(["subscribers", "unsubscribe", token], capsys)
    assert code == 0 and "unsubscribed: a@example.com" in out
    assert run(["subscribers", "unsubscribe", token[:-3] + "abc"], capsys)[0] == 2
    assert run(["subscribers", "remove", "a@example.com"], capsys)[0] == 0
    assert "no subscribers" in run(["subscribers", "list"], capsys)[1]


def test_send_slack_and_email_then_nothing_twice(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with slack_stand_in() as slack, smtp_server() as smtp:
        for key, value in {
            "BRIEFING_SLACK_TOKEN": "xoxb-1", "BRIEFING_SLACK_CHANNEL": "C1",
            "BRIEFING_SLACK_API_URL": slack.api_url, "BRIEFING_SMTP_HOST": "127.0.0.1",
            "BRIEFING_SMTP_PORT": str(smtp.port), "BRIEFING_SMTP_FROM": "b@example.org",
            "BRIEFING_SECRET": "s3cret", "BRIEFING_PUBLIC_URL": "https://b.example",
        }.items():  # fmt: skip
            monkeypatch.setenv(key, value)
        assert run(["subscribers", "add", "a@example.com"], capsys)[0] == 0
        code, out, _ = run(["digest", "send", "--dry-run", *NOW_ARG], capsys)
        assert code == 0 and "dry run: would_send=2" in out
        assert slack.attempts == [] and smtp.messages == []
        code, out, err = run(["digest", "send", *NOW_ARG], capsys)
        assert code == 0, err
        assert "sent=2" in out and len(slack.calls) == 1 and len(smtp.messages) == 1
        code, out, _ = run(["digest", "send", "--json", *NOW_ARG], capsys)
        assert code == 0 and json.loads(out)["totals"] == {"skipped_empty": 1, "not_due": 1}
        assert len(slack.calls) == 1 and len(smtp.messages) == 1
        code, out, _ = run(["digests", "--json"], capsys)
        statuses = sorted(d["status"] for row in json.loads(out) for d in row["deliveries"])
        assert statuses == ["sent", "sent"]


def test_send_failure_exits_1_and_names_the_recipient(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as smtp:
        for key, value in {
            "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(smtp.port),
            "BRIEFING_SMTP_FROM": "b@example.org", "BRIEFING_SECRET": "s3cret",
            "BRIEFING_PUBLIC_URL": "https://b.example",
        }.items():  # fmt: skip
            monkeypatch.setenv(key, value)
        assert run(["subscribers", "add", "gone@example.com"], capsys)[0] == 0
        smtp.refuse("gone@example.com")
        code, out, err = run(["digest", "send", "--to", "email", *NOW_ARG], capsys)
        assert code == 1
        assert "gone@example.com" in out and "failed" in out and "550" in out
        assert "retried with backoff" in err and "Traceback" not in err
