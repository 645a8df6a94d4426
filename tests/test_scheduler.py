"""The daemon: one per database, job planning, failing jobs recorded, clean SIGTERM, status.

The daemon runs as a real subprocess (`python -m bot serve`) against local peers on
127.0.0.1: a feed server written here (text written for these tests) and, for the digest,
the Slack stand-in of tests/peers/slack.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.daemon_lock import DaemonLock, daemon_running
from bot.errors import ConfigError, StorageError
from bot.scheduler import plan_jobs
from bot.store.db import open_engine, session_scope
from bot.store.models import Run, Subscriber

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- peers and helpers


class FeedServer:
    """An RSS feed on 127.0.0.1 that gains one item every ``grow_every`` requests."""

    def __init__(self, start_items: int = 3, grow_every: int = 1) -> None:
        self.requests = 0
        self.start_items = start_items
        self.grow_every = grow_every
        self.lock = threading.Lock()
        self.port = 0

    def items(self) -> int:
        return self.start_items + self.requests // self.grow_every

    def feed(self) -> bytes:
        base = f"http://127.0.0.1:{self.port}"
        entries = []
        for i in range(self.items()):
            entries.append(
                f"<item><title>Test lab ships model update number {i}</title>"
                f"<link>{base}/a/{i}.html</link><guid>{base}/a/{i}</guid>"
                f"<pubDate>Sun, 22 Nov 2026 0{i % 10}:00:00 GMT</pubDate>"
                f"<description>The lab said update {i} is now generally available to all "
                f"customers, who run it in production across {100 + i} teams.</description></item>"
            )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Test feed</title>'
            f"<link>{base}/</link><description>t</description>{''.join(entries)}</channel></rss>"
        ).encode()


@contextmanager
def feed_server(**kw: Any) -> Iterator[FeedServer]:
    state = FeedServer(**kw)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/feed.xml"):
                with state.lock:
                    body = state.feed()
                    state.requests += 1
                ctype = "application/rss+xml"
            else:
                n = self.path.rsplit("/", 1)[-1].split(".")[0]
                body = (
                    f"<html><head><title>Update {n}</title></head><body><article><h1>Update {n}"
                    f"</h1><p>{'The lab said the update is generally available. ' * 30}</p>"
                    "</article></body></html>"
                ).encode()
                ctype = "text/html"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def write_sources(
    path: Path, port: int, interval: str = "2s", slugs: tuple[str, ...] = ("lab",)
) -> Path:
    lines = ["sources:"]
    for slug in slugs:
        lines += [
            f"  - slug: {slug}",
            f"    name: Test {slug}",
            f"    url: http://127.0.0.1:{port}/feed.xml?{slug}",
            "    kind: rss",
            f"    interval: {interval}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def daemon_env(tmp_path: Path, db_url: str, sources: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(
        BRIEFING_HOME=str(tmp_path / "home"),
        BRIEFING_DATABASE_URL=db_url,
        BRIEFING_SOURCES=str(sources),
        BRIEFING_ALLOW_PRIVATE_NETWORKS="1",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


class Daemon:
    """`python -m bot serve` as a subprocess, its JSON logs in a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.log = open(log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--log-format", "json", "--log-level", "INFO", "serve"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip

    def events(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"raw": line})
        return out

    def wait_started(self, timeout: float = 30) -> None:
        wait_for(lambda: any(e.get("event") == "started" for e in self.events()), timeout,
                 lambda: f"daemon did not start: {self.log_path.read_text()[-2000:]}")  # fmt: skip

    def stop(self, timeout: float = 15) -> tuple[int, float]:
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.log.close()
        return code, time.monotonic() - t0

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def wait_for(cond: Callable[[], Any], timeout: float, message: Callable[[], str] | str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(message() if callable(message) else message or "timed out")


def job_runs(db_url: str, prefix: str) -> list[Run]:
    engine = open_engine(db_url)
    try:
        with session_scope(engine) as session:
            runs = session.execute(select(Run).where(Run.kind == "job")).scalars().all()
            return [r for r in runs if r.report.get("job", "").startswith(prefix)]
    finally:
        engine.dispose()


# ---------------------------------------------------------------- lock and planning


def test_one_daemon_lock_per_database(engine):
    first = DaemonLock(engine).acquire()
    try:
        assert daemon_running(engine)
        with pytest.raises(StorageError, match="already running"):
            DaemonLock(engine).acquire()
    finally:
        first.release()
    assert not daemon_running(engine)
    DaemonLock(engine).acquire().release()


def test_plan_jobs_follows_sources_and_settings(sqlite_url, tmp_path, monkeypatch):
    sources = write_sources(tmp_path / "sources.yaml", 9, interval="5s", slugs=("fast",))
    sources.write_text(sources.read_text() + "  - slug: slow\n    name: Slow\n"
                       "    url: http://127.0.0.1:9/slow.xml\n    kind: rss\n")  # fmt: skip
    monkeypatch.setenv("BRIEFING_SOURCES", str(sources))
    monkeypatch.setenv("BRIEFING_SLACK_WEBHOOK_URL", "http://127.0.0.1:9/webhook/x")
    monkeypatch.setenv("BRIEFING_SLACK_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("BRIEFING_SMTP_HOST", "127.0.0.1")
    engine = open_engine(sqlite_url)
    with session_scope(engine) as session:
        session.add(Subscriber(email="a@example.com", timezone="America/New_York"))
        session.add(Subscriber(email="b@example.com", timezone="Asia/Tokyo", active=False))
    jobs = {j.id: j for j in plan_jobs(engine, Settings.from_env())}
    assert jobs["crawl:fast"].interval_s == 5 and jobs["crawl:slow"].interval_s == 1800
    assert jobs["digest:slack"].cron == "0 8 * * *"
    assert jobs["digest:slack"].timezone == "Europe/Berlin"
    assert "digest:email:America/New_York" in jobs and "digest:email:Asia/Tokyo" not in jobs
    trigger = jobs["digest:slack"].trigger()
    nxt = trigger.get_next_fire_time(None, datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    assert (nxt.hour, str(nxt.tzinfo)) == (8, "Europe/Berlin")
    monkeypatch.setenv("BRIEFING_SLACK_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="BRIEFING_SLACK_DIGEST_CRON/BRIEFING_SLACK_TIMEZONE"):
        plan_jobs(engine, Settings.from_env())
    engine.dispose()


# ---------------------------------------------------------------- the daemon as a process


def test_second_daemon_refused_and_sigterm_exits_0(sqlite_url, tmp_path):
    with feed_server() as feed:
        env = daemon_env(tmp_path, sqlite_url, write_sources(tmp_path / "s.yaml", feed.port, "1h"))
        first = Daemon(env, tmp_path / "first.log")
        try:
            first.wait_started()
            t0 = time.monotonic()
            second = subprocess.run(
                [sys.executable, "-m", "bot", "serve"], cwd=REPO, env=env,
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert second.returncode == 1
            assert "already running" in second.stderr and "Traceback" not in second.stderr
            assert f"pid {first.proc.pid}" in second.stderr
            assert time.monotonic() - t0 < 30
            status = subprocess.run(
                [sys.executable, "-m", "bot", "status", "--json"], cwd=REPO, env=env,
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            data = json.loads(status.stdout)
            assert data["daemon"]["running"] and data["daemon"]["pid"] == first.proc.pid
            assert {j["id"] for j in data["jobs"]} >= {"crawl:lab", "refresh"}
            code, took = first.stop()
        finally:
            first.kill()
    assert code == 0 and took < 15
    assert any(e.get("event") == "stopped" for e in first.events())


def test_failing_job_is_recorded_and_daemon_keeps_running(sqlite_url, tmp_path):
    engine = open_engine(sqlite_url)
    with session_scope(engine) as session:
        session.add(Subscriber(email="reader@example.com", timezone="UTC"))
    engine.dispose()
    with feed_server() as feed:
        # SMTP configured but no sender address, secret or public URL: every email job raises.
        env = daemon_env(
            tmp_path, sqlite_url, write_sources(tmp_path / "s.yaml", feed.port, "1h"),
            BRIEFING_SMTP_HOST="127.0.0.1", BRIEFING_SMTP_PORT="9",
            BRIEFING_EMAIL_DIGEST_CRON="*/2 * * * * *",
        )  # fmt: skip
        daemon = Daemon(env, tmp_path / "d.log")
        try:
            daemon.wait_started()
            runs = wait_for(lambda: [r for r in job_runs(sqlite_url, "digest:email") if r.status == "failed"][:2]
                            if len([r for r in job_runs(sqlite_url, "digest:email") if r.status == "failed"]) >= 2 else None,
                            30, lambda: daemon.log_path.read_text()[-2000:])  # fmt: skip
            assert daemon.proc.poll() is None  # still running after two failures
            assert all("BRIEFING_" in r.report["error"] for r in runs)

            def email_job_status() -> tuple[dict, dict] | None:
                out = subprocess.run(
                    [sys.executable, "-m", "bot", "status", "--json"], cwd=REPO, env=env,
                    capture_output=True, text=True, timeout=60,
                )  # fmt: skip
                data = json.loads(out.stdout)
                job = next(j for j in data["jobs"] if j["id"] == "digest:email:UTC")
                # the job fires every 2 s: a status read while the next run is under way shows it
                # "running"; read again until the latest run has finished
                return None if job["last_run"]["status"] == "running" else (data, job)

            data, job = wait_for(email_job_status, 30, "the email job's runs never finished")
            assert data["failures_24h"]["count"] >= 2
            assert job["last_run"]["status"] == "failed" and job["next_run_at"]
            code, took = daemon.stop()
        finally:
            daemon.kill()
    assert code == 0 and took < 15
    failed = [e for e in daemon.events() if e.get("status") == "failed"]
    assert failed and failed[0]["job"] == "digest:email:UTC"


# ---------------------------------------------------------------- end to end


class NewsFeed(FeedServer):
    """AI-industry items (text written for this test); pages answer slowly so a crawl lasts."""

    page_delay_s = 0.4

    def feed(self) -> bytes:
        from email.utils import format_datetime

        base = f"http://127.0.0.1:{self.port}"
        now = datetime.now(UTC)
        entries = []
        for i in range(self.items()):
            pub = format_datetime(
                now.replace(microsecond=0) - __import__("datetime").timedelta(minutes=i)
            )
            entries.append(
                f"<item><title>Acme AI releases open-weights language model Falcon-{i}</title>"
                f"<link>{base}/a/{i}.html</link><guid>{base}/a/{i}</guid><pubDate>{pub}</pubDate>"
                f"<description>Acme AI said its large language model Falcon-{i} is generally "
                f"available today and {1200 + i} enterprise customers already run it in "
                "production.</description></item>"
            )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Acme AI news</title>'
            f"<link>{base}/</link><description>t</description>{''.join(entries)}</channel></rss>"
        ).encode()


@contextmanager
def news_server(**kw: Any) -> Iterator[NewsFeed]:
    state = NewsFeed(**kw)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/feed.xml"):
                with state.lock:
                    body = state.feed()
                    state.requests += 1
                ctype = "application/rss+xml"
            elif not self.path.startswith("/a/"):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            else:
                time.sleep(state.page_delay_s)
                n = self.path.rsplit("/", 1)[-1].split(".")[0]
                para = (f"Acme AI said Falcon-{n}, its large language model, is generally available "
                        f"and {1200 + int(n)} enterprise customers run it in production today. ")  # fmt: skip
                body = (
                    f"<html><head><title>Falcon-{n}</title></head><body><article>"
                    f"<h1>Acme AI releases Falcon-{n}</h1><p>{para * 12}</p></article></body></html>"
                ).encode()
                ctype = "text/html"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _articles(db_url: str) -> list[tuple[str, str | None]]:
    from bot.store.models import Article

    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(select(Article.canonical_url, Article.guid))]
    finally:
        engine.dispose()


def _ok_crawls(db_url: str, after: int = 0) -> int:
    return len([r for r in job_runs(db_url, "crawl:")[after:] if r.status == "ok"])


@pytest.mark.slow  # loads the real embedding model and classifier in each daemon process
def test_daemon_end_to_end_with_sigterm_mid_crawl_and_restart(sqlite_url, tmp_path):
    """Crawls every 3 s; SIGTERM mid-crawl; restart with a digest due; restart again."""
    pytest.importorskip("bot.pipeline.cluster")
    from tests.peers.slack import slack_stand_in

    with news_server(start_items=3) as feed, slack_stand_in() as slack:
        env = daemon_env(
            tmp_path, sqlite_url, write_sources(tmp_path / "s.yaml", feed.port, "3s"),
            BRIEFING_SLACK_TOKEN="xoxb-test", BRIEFING_SLACK_CHANNEL="#ai-news",
            BRIEFING_SLACK_API_URL=slack.api_url, BRIEFING_SLACK_DIGEST_CRON="0 8 * * *",
        )  # fmt: skip
        # 1. several crawls, then SIGTERM while a crawl job runs (pages answer slowly)
        first = Daemon(env, tmp_path / "first.log")
        try:
            first.wait_started()
            wait_for(
                lambda: _ok_crawls(sqlite_url) >= 2, 120, lambda: first.log_path.read_text()[-3000:]
            )
            feed.page_delay_s = 1.5
            wait_for(lambda: any(r.status == "running" for r in job_runs(sqlite_url, "crawl:")), 30)
            code, took = first.stop()
        finally:
            first.kill()
        assert code == 0 and took < 15
        assert not any(r.status == "running" for r in job_runs(sqlite_url, "crawl:"))
        feed.page_delay_s = 0.2
        # 2. restart with the Slack digest due a few seconds later: one digest, more crawls
        fire = datetime.now(UTC) + __import__("datetime").timedelta(seconds=12)
        env["BRIEFING_SLACK_DIGEST_CRON"] = f"{fire.second} {fire.minute} {fire.hour} * * *"
        second = Daemon(env, tmp_path / "second.log")
        try:
            second.wait_started()
            before = len(job_runs(sqlite_url, "crawl:"))
            wait_for(lambda: [r for r in job_runs(sqlite_url, "digest:slack") if r.status != "running"],
                     60, lambda: second.log_path.read_text()[-3000:])  # fmt: skip
            wait_for(lambda: _ok_crawls(sqlite_url, before) >= 2, 60)
            code, took = second.stop()
        finally:
            second.kill()
        assert code == 0 and took < 15
        digest_runs = job_runs(sqlite_url, "digest:slack")
        assert [r.status for r in digest_runs] == ["ok"], digest_runs[0].report
        heads = [c for c in slack.calls if not c.get("thread_ts")]
        assert len(heads) == 1, digest_runs[0].report
        assert "Falcon" in json.dumps(slack.calls)
        # 3. restart again with the same schedule: the digest is not sent a second time
        third = Daemon(env, tmp_path / "third.log")
        try:
            third.wait_started()
            before = len(job_runs(sqlite_url, "crawl:"))
            wait_for(lambda: _ok_crawls(sqlite_url, before) >= 1, 60)
            served = feed.items()
            time.sleep(1)
            code, took = third.stop()
        finally:
            third.kill()
        assert code == 0 and took < 15
        assert len([c for c in slack.calls if not c.get("thread_ts")]) == 1
        assert len(job_runs(sqlite_url, "digest:slack")) == 1
        # no article lost or stored twice across the interruptions
        urls = [u for u, _ in _articles(sqlite_url)]
        assert len(urls) == len(set(urls)), "an article was stored twice"
        expected = {f"http://127.0.0.1:{feed.port}/a/{i}.html" for i in range(served - 1)}
        assert expected <= set(urls), sorted(expected - set(urls))
