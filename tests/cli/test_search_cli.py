"""`briefing search`, `show` and `export` through the real CLI entry point (both backends)."""

from __future__ import annotations

import csv
import io
import json

from bot.cli import main
from tests.archive.helpers import build_archive


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_search_json_has_the_documented_fields(engine, settings, capsys):
    ids = build_archive(engine)
    code, out, err = run_cli(capsys, "search", "GPU", "supply", "--json")
    assert code == 0, err
    results = json.loads(out)
    assert results[0]["id"] == ids["Nvidia"]
    for field in ("id", "url", "title", "published", "source", "score"):
        assert field in results[0]


def test_search_stories_json_lists_articles(engine, settings, capsys):
    ids = build_archive(engine)
    code, out, _ = run_cli(capsys, "search", "packaging", "--stories", "--json")
    assert code == 0
    story = json.loads(out)[0]
    assert story["id"].startswith("s") and story["title"]
    assert ids["TSMC"] in [a["id"] for a in story["articles"]]


def test_search_csv_and_table(engine, settings, capsys):
    build_archive(engine)
    code, out, _ = run_cli(capsys, "search", "obligations", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["source"] == "policyhub" and rows[0]["label"] == "deployment"
    code, out, _ = run_cli(capsys, "search", "obligations", "--label", "deployment")
    assert code == 0 and "EU AI Act" in out and "policyhub" in out


def test_fts_syntax_in_query_is_not_an_error(engine, settings, capsys):
    build_archive(engine)
    for query in ['"unbalanced', "NEAR(", "*", 'a" OR "b']:
        code, out, err = run_cli(capsys, "search", query, "--json")
        assert code == 0, err
        assert isinstance(json.loads(out), list)


def test_empty_archive_exit_0_with_a_note(engine, settings, capsys):
    code, out, err = run_cli(capsys, "search", "anything", "--json")
    assert code == 0 and json.loads(out) == []
    assert "archive is empty" in err


def test_bad_dates_exit_2_naming_the_flag(engine, settings, capsys):
    code, out, err = run_cli(capsys, "search", "gpu", "--since", "last week")
    assert code == 2 and "--since" in err and out == ""
    assert "Traceback" not in err
    code, _, err = run_cli(capsys, "export", "--until", "31/01/2026")
    assert code == 2 and "--until" in err


def test_show_article_and_story(engine, settings, capsys):
    ids = build_archive(engine)
    code, out, _ = run_cli(capsys, "show", str(ids["Bank"]), "--json")
    rec = json.loads(out)
    assert code == 0 and rec["type"] == "article" and rec["label"] == "deployment"
    assert "12,000 engineers" in rec["text"]
    code, out, _ = run_cli(capsys, "show", f"story:{rec['story_id']}", "--json")
    story = json.loads(out)
    assert code == 0 and story["id"] == f"s{rec['story_id']}"
    assert [a["id"] for a in story["articles"]] == [ids["Bank"]]
    code, out, _ = run_cli(capsys, "show", f"s{rec['story_id']}")
    assert code == 0 and "Bank rolls out" in out


def test_show_unknown_or_malformed_id(engine, settings, capsys):
    build_archive(engine)
    code, _, err = run_cli(capsys, "show", "999999")
    assert code == 1 and "no article with id 999999" in err
    code, _, err = run_cli(capsys, "show", "abc")
    assert code == 2 and "not an id" in err


def test_export_formats_and_filters(engine, settings, capsys, tmp_path):
    build_archive(engine)
    code, out, err = run_cli(capsys, "export", "--source", "finnews")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and {r["source"] for r in lines} == {"finnews"} and len(lines) == 2
    assert {"id", "url", "title", "text", "published", "source"} <= set(lines[0])
    assert "exported 2 articles" in err
    target = tmp_path / "out.csv"
    code, out, _ = run_cli(capsys, "export", "--format", "csv", "-o", str(target))
    assert code == 0 and out == ""
    assert len(list(csv.DictReader(target.open()))) == 5
    code, out, _ = run_cli(capsys, "export", "--format", "md", "--topic", "regulation")
    assert code == 0 and out.count("\n- [") == 1 and "EU AI Act" in out
