"""`briefing crawl`, `briefing runs` and `briefing import` through the real entry points."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from tests.peers.http import HTTPPeer, write_sources

REPO = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFING_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BRIEFING_SOURCES", str(tmp_path / "sources.yaml"))
    monkeypatch.setenv("BRIEFING_CRAWL_HOST_DELAY", "0")
    return tmp_path / "sources.yaml"


def test_crawl_json_and_runs(
    env: Path, http_server: HTTPPeer, capsys: pytest.CaptureFixture[str]
) -> None:
    write_sources(env, {"rss": http_server.url("/feeds/rss2.xml"), "dead": "http://127.0.0.1:9/x"})
    code, out, _ = run(["crawl", "--json"], capsys)
    assert code == 0
    report = json.loads(out)  # exactly one JSON object on stdout
    totals = report["totals"]
    for key in (
        "fetched",
        "not_modified",
        "new",
        "updated",
        "failed",
        "extracted",
        "extraction_failed",
    ):
        assert isinstance(totals[key], int)
    assert (totals["fetched"], totals["new"], totals["failed"]) == (2, 4, 1)
    assert totals["failed_by_reason"] == {"connection_refused": 1}
    code, out, _ = run(["crawl", "--source", "rss"], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("rss  not_modified")
    assert "fetched=1 not_modified=1 failed=0 new=0" in out.splitlines()[-1]
    code, out, _ = run(["runs", "--json"], capsys)
    runs = json.loads(out)
    assert [r["run_id"] for r in runs] == [report["run_id"] + 1, report["run_id"]]
    assert runs[1]["totals"]["new"] == 4
    code, out, _ = run(["runs", "--limit", "1"], capsys)
    assert code == 0 and len(out.splitlines()) == 1 and "crawl" in out


def test_broken_sources_yaml_exits_2_and_creates_no_database(
    env: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text(
        "sources:\n  - slug: a\n    name: A\n    url: https://a.example/feed\n    colour: red\n"
    )
    code, out, err = run(["crawl"], capsys)
    assert code == 2 and out == ""
    assert "sources[0]" in err and "colour" in err and "Traceback" not in err
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_import_file_and_stdin(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.jsonl"
    good = {"url": "https://a.example/1", "title": "A title", "text": "Some text of the article."}
    path.write_text(json.dumps(good) + "\n" + '{"url": 5}\n')
    code, out, err = run(["import", str(path)], capsys)
    assert code == 1
    assert out.strip() == "imported: new=1 updated=0 unchanged=0 failed=1"
    assert f"{path}: line 2: url:" in err and "1 of 2 records failed" in err
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(good) + "\n"))
    code, out, _ = run(["import", "-", "--json"], capsys)
    assert code == 0 and json.loads(out)["unchanged"] == 1
    code, _, err = run(["import", str(tmp_path / "missing.jsonl")], capsys)
    assert code == 1 and "cannot read" in err


PAGE = """<html lang="en"><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>This is article number {n} of feed {f}, written for the crash-safety test of the crawler.</p>
<p>It has enough text to be worth extracting: the crawler must keep it exactly once, even when
the process is killed while it is fetching feeds and pages, and started again afterwards.</p>
<p>Item {n} of {f} ends here with a final sentence that closes the story.</p></article></body></html>
"""


def make_site(root: Path, feeds: int, items: int) -> None:
    (root / "pages").mkdir(parents=True)
    (root / "feeds").mkdir()
    for f in range(feeds):
        entries = []
        for n in range(items):
            title = f"Feed {f} story {n}"
            (root / "pages" / f"f{f}-{n}.html").write_text(PAGE.format(title=title, n=n, f=f))
            entries.append(
                f"<item><title>{title}</title><guid>f{f}-{n}</guid>"
                f"<link>{{{{BASE}}}}/pages/f{f}-{n}.html?utm_source=rss</link>"
                f"<description>Summary of {title}.</description></item>"
            )
        body = (
            "<rss version='2.0'><channel><title>F</title>" + "".join(entries) + "</channel></rss>"
        )
        (root / "feeds" / f"f{f}.xml").write_text(body)


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0  # schema not created yet


def test_sigkill_mid_crawl_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    feeds, items = 4, 12
    make_site(tmp_path / "site", feeds, items)
    db = tmp_path / "crash.db"
    with HTTPPeer(tmp_path / "site", delay_s=0.1) as server:
        sources = write_sources(
            tmp_path / "sources.yaml",
            {f"f{f}": server.url(f"/feeds/f{f}.xml") for f in range(feeds)},
        )
        env = {
            **os.environ,
            "BRIEFING_DATABASE_URL": f"sqlite:///{db}",
            "BRIEFING_SOURCES": str(sources),
            "BRIEFING_ALLOW_PRIVATE_NETWORKS": "1",
            "BRIEFING_CRAWL_HOST_DELAY": "0",
        }
        cmd = [sys.executable, "-m", "bot", "crawl", "--json"]
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                ok = count(db, "select count(*) from articles where extraction_status='ok'")
                if count(db, "select count(*) from articles") >= items and ok >= 2:
                    break
                time.sleep(0.05)
            assert proc.poll() is None, "the crawl finished before it could be killed"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        stored = count(db, "select count(*) from articles")
        left = count(db, "select count(*) from articles where extraction_status='pending'")
        assert stored > 0 and (stored < feeds * items or left > 0)  # really killed mid-crawl
        assert count(db, "select count(*) from runs where status='running'") == 1
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "ok"
    total = feeds * items
    assert count(db, "select count(*) from articles") == total
    assert count(db, "select count(distinct canonical_url) from articles") == total
    assert count(db, "select count(distinct guid) from articles") == total
    assert count(db, "select count(*) from articles where extraction_status='ok'") == total
    assert report["totals"]["new"] + stored == total  # the re-run added exactly what was missing


def test_sigterm_stops_gracefully_with_an_interrupted_report(tmp_path: Path) -> None:
    make_site(tmp_path / "site", 2, 20)
    db = tmp_path / "stop.db"
    with HTTPPeer(tmp_path / "site", delay_s=0.2) as server:
        sources = write_sources(
            tmp_path / "sources.yaml", {f"f{f}": server.url(f"/feeds/f{f}.xml") for f in range(2)}
        )
        env = {
            **os.environ,
            "BRIEFING_DATABASE_URL": f"sqlite:///{db}",
            "BRIEFING_SOURCES": str(sources),
            "BRIEFING_ALLOW_PRIVATE_NETWORKS": "1",
            "BRIEFING_CRAWL_HOST_DELAY": "0",
        }
        cmd = [sys.executable, "-m", "bot", "crawl", "--json"]
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if count(db, "select count(*) from articles where extraction_status='ok'") >= 2:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    report = json.loads(out)
    assert report["status"] == "interrupted" and report["totals"]["new"] == 40
    assert 2 <= report["totals"]["extracted"] < 40  # stopped after the pages in flight
    assert b"stopping after the current items" in err
    assert count(db, "select count(*) from runs where status='interrupted'") == 1
    assert count(db, "select count(*) from articles where extraction_status='pending'") > 0
