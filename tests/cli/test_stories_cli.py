"""`briefing cluster|stories|story|reembed` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.config import Settings
from bot.pipeline.cluster import cluster_pending
from bot.pipeline.embed import HashingEmbedder
from bot.pipeline.importer import import_articles
from bot.store.db import session_scope
from bot.store.models import Article, Story

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "articles.jsonl"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def load_fixture(engine: Engine) -> None:
    records = [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]
    assert import_articles(engine, records)["failed"] == 0


def test_stories_json_has_the_documented_fields(engine: Engine, settings: Settings, capsys) -> None:
    load_fixture(engine)
    cluster_pending(engine, settings, embedder=HashingEmbedder())
    code, out, err = run_cli(capsys, "stories", "--json", "--limit", "100")
    assert code == 0, err
    stories = json.loads(out)
    assert sum(len(s["articles"]) for s in stories) == 24
    for s in stories:
        assert {"id", "title", "first_seen", "last_seen", "n_outlets", "articles"} <= set(s)
        assert s["n_outlets"] >= 1 and s["articles"]
        for a in s["articles"]:
            assert {"url", "title", "source"} <= set(a) and a["url"].startswith("https://")
    # newest first
    assert [s["last_seen"] for s in stories] == sorted(
        (s["last_seen"] for s in stories), reverse=True
    )


def test_filters_sort_and_one_story(engine: Engine, settings: Settings, capsys) -> None:
    load_fixture(engine)
    cluster_pending(engine, settings, embedder=HashingEmbedder())
    with session_scope(engine) as s:  # what the signals stage (issue 4) writes on stories
        sid = s.scalars(select(Article.story_id).where(Article.external_id == "fx-01")).one()
        s.execute(update(Story).where(Story.id == sid).values(
            primary_topic="models", topics=["models"], label="hype", importance=9.0))  # fmt: skip
    code, out, _ = run_cli(capsys, "stories", "--json", "--topic", "models", "--label", "hype")
    assert code == 0 and [s["id"] for s in json.loads(out)] == [sid]
    code, out, _ = run_cli(capsys, "stories", "--json", "--sort", "importance", "--limit", "1")
    assert json.loads(out)[0]["id"] == sid
    code, out, _ = run_cli(capsys, "stories", "--json", "--sort", "outlets", "--limit", "2")
    top = json.loads(out)
    assert len(top) == 2 and top[0]["n_outlets"] >= top[1]["n_outlets"]
    code, out, _ = run_cli(capsys, "stories", "--json", "--since", "2d")
    assert code == 0 and json.loads(out) == []  # the fixture is dated November 2026, not today
    code, out, _ = run_cli(capsys, "story", str(sid))
    assert code == 0 and "Orion Labs" in out and "techwire.example.com" in out
    code, out, _ = run_cli(capsys, "story", str(sid), "--json")
    assert json.loads(out)["id"] == sid


def test_bad_arguments_are_clear_errors(engine: Engine, settings: Settings, capsys) -> None:
    code, _, err = run_cli(capsys, "story", "424242")
    assert code == 2 and "no story with id 424242" in err
    code, _, err = run_cli(capsys, "stories", "--since", "soon")
    assert code == 2 and "--since" in err and "Traceback" not in err


def test_missing_model_path_names_the_setting(
    engine: Engine, settings: Settings, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_fixture(engine)
    monkeypatch.setenv("BRIEFING_EMBEDDING_MODEL", "/nonexistent/minilm")
    for command in ("cluster", "reembed"):
        code, _, err = run_cli(capsys, command)
        assert code == 1 and "BRIEFING_EMBEDDING_MODEL" in err and "/nonexistent/minilm" in err
        assert "Traceback" not in err


@pytest.mark.slow
def test_cluster_command_with_the_real_model(sqlite_url: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("BRIEFING_DATABASE_URL", sqlite_url)
    from bot.store.db import open_engine

    engine = open_engine(sqlite_url)
    load_fixture(engine)
    code, _, err = run_cli(capsys, "cluster")
    assert code == 0 and "articles=24" in err
    code, _, err = run_cli(capsys, "cluster")
    assert code == 0 and "articles=0 embedded=0" in err
    code, out, _ = run_cli(capsys, "stories", "--json", "--limit", "100")
    stories = json.loads(out)
    assert 8 <= len(stories) <= 16  # 11 gold stories; exact quality is pinned in test_cluster
    engine.dispose()
