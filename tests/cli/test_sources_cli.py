"""`briefing sources ...` through the real console entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.sources import load_sources

REPO = Path(__file__).resolve().parents[2]

BROKEN = """\
sources:
  - slug: good
    name: Good
    url: https://good.example.org/rss
  - slug: bad
    name: Bad
    url: htp//nowhere
    urll: https://typo.example.org
"""


@pytest.fixture
def sources_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text((REPO / "sources.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SOURCES", str(path))
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json(sources_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["sources", "list", "--json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) >= 30
    assert rows[0]["slug"] == "openai-news"
    assert set(rows[0]) == {
        "slug",
        "name",
        "url",
        "kind",
        "weight",
        "tags",
        "interval_s",
        "options",
    }


def test_list_table(sources_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["sources", "list"], capsys)
    assert code == 0
    assert "openai-news" in out and "https://rss.arxiv.org/rss/cs.AI" in out


def test_check_valid(sources_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["sources", "check"], capsys)
    assert code == 0
    assert out.strip() == f"{sources_file}: 36 sources, valid"


@pytest.mark.parametrize(
    "argv",
    [
        ["sources", "check"],
        ["sources", "list"],
        ["sources", "list", "--json"],
        ["sources", "export-opml"],
    ],
)
def test_broken_file_exit_2_one_message_nothing_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SOURCES", str(path))
    home = Path(tmp_path / "home")
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"briefing: error: {path}: ")
    assert "sources[1].url: not a URL" in err
    assert "sources[1]: unknown key 'urll'" in err
    assert path.read_text(encoding="utf-8") == BROKEN
    assert not home.exists() or not any(home.iterdir())


def test_missing_sources_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFING_SOURCES", str(tmp_path / "nope.yaml"))
    code, _, err = run(["sources", "check"], capsys)
    assert code == 2
    assert err == f"briefing: error: sources file not found: {tmp_path / 'nope.yaml'}\n"


def test_export_then_import_round_trip(
    sources_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["sources", "export-opml"], capsys)
    assert code == 0 and out.startswith("<?xml")
    opml = tmp_path / "out.opml"
    code, _, err = run(["sources", "export-opml", str(opml)], capsys)
    assert code == 0 and opml.read_text(encoding="utf-8").count("xmlUrl=") == 36
    target = tmp_path / "fresh.yaml"
    code, out, _ = run(
        ["sources", "import-opml", str(opml), "--output", str(target), "--json"], capsys
    )
    assert code == 0
    assert len(json.loads(out)["added"]) == 36
    assert [s.to_dict() for s in load_sources(target)] == [
        s.to_dict() for s in load_sources(sources_file)
    ]


def test_import_needs_merge_for_an_existing_file(
    sources_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "new.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Policy">'
        '<outline text="OECD AI" type="rss" xmlUrl="https://oecd.ai/feed.xml"/>'
        '<outline text="FTC again" type="rss" xmlUrl="https://www.ftc.gov/feeds/press-release.xml"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    before = sources_file.read_text(encoding="utf-8")
    code, _, err = run(["sources", "import-opml", str(opml)], capsys)
    assert code == 2 and "use --merge" in err
    assert sources_file.read_text(encoding="utf-8") == before
    code, out, err = run(["sources", "import-opml", str(opml), "--merge"], capsys)
    assert code == 0, err
    assert "added 1 sources, skipped 1" in out and "oecd-ai" in out
    assert "FTC again: already listed as ftc-press-releases" in err
    assert sources_file.read_text(encoding="utf-8").startswith(before)
    assert load_sources(sources_file)[-1].tags == ["policy"]


def test_hostile_opml_exit_2(
    sources_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "evil.opml"
    opml.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example.org/f"/></body></opml>',
        encoding="utf-8",
    )
    before = sources_file.read_text(encoding="utf-8")
    code, _, err = run(["sources", "import-opml", str(opml), "--merge"], capsys)
    assert code == 2 and "refused unsafe XML" in err
    assert sources_file.read_text(encoding="utf-8") == before


def test_check_fetch_reports_status_and_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_demo import load_demo

    demo = load_demo()
    site = demo.DemoSite(port=0).start()
    try:
        path = demo.write_sources(site, tmp_path / "demo-sources.yaml")
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                f"- {{slug: gone, name: Gone, url: '{site.base_url}/feeds/gone.xml', options: {{delay: 0s}}}}\n"
                f"- {{slug: not-a-feed, name: Robots, url: '{site.base_url}/robots.txt', options: {{delay: 0s}}}}\n"
            )
        monkeypatch.setenv("BRIEFING_SOURCES", str(path))
        code, out, err = run(["sources", "check", "--fetch", "--json"], capsys)
        assert code == 1, err  # some feeds failed
        rows = {r["slug"]: r for r in json.loads(out)["fetched"]}
        expected = {
            "rest-of-world": 12,
            "stratechery": 10,
            "davidbau": 15,
            "willpatrick": 3,
            "collective-action-in-tech": 10,
            "humanwhocodes": 10,
        }
        assert {s: rows[s]["entries"] for s in expected} == expected
        assert all(rows[s]["ok"] and rows[s]["status"] == 200 for s in expected)
        assert rows["gone"]["status"] == 404 and rows["gone"]["error"] == "http_404"
        assert rows["not-a-feed"]["ok"] is False
        assert rows["not-a-feed"]["error"] in ("not_a_feed", "malformed_feed")
        code, out, _ = run(["sources", "check", "--fetch", "--source", "davidbau"], capsys)
        assert code == 0
        assert "davidbau" in out and "entries=15" in out and "gone" not in out
        assert {r["path"] for r in site.requests} >= {"/robots.txt", "/feeds/davidbau.rdf"}
    finally:
        site.stop()


def test_broken_file_leaves_existing_sources_untouched(
    settings: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sqlmodel import select

    from bot.config import Settings
    from bot.sources import sync_sources
    from bot.store.db import open_engine, session_scope
    from bot.store.models import Source

    db_url = Settings.from_env().database_url
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        sync_sources(session, load_sources(REPO / "sources.yaml"))
    with session_scope(engine) as session:
        before = sorted(
            (s.slug, s.url, s.active, s.updated_at) for s in session.exec(select(Source))
        )
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")  # one good entry, one bad: nothing may be synced
    monkeypatch.setenv("BRIEFING_SOURCES", str(path))
    code, out, err = run(["crawl"], capsys)
    assert code == 2 and out == "" and "sources[1].url: not a URL" in err
    with session_scope(engine) as session:
        after = sorted(
            (s.slug, s.url, s.active, s.updated_at) for s in session.exec(select(Source))
        )
    assert after == before and len(after) == 36 and all(row[2] for row in after)
    engine.dispose()
