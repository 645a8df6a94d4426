"""`briefing classify [FILE|-]`: JSON lines in, one JSON line out per input, bad lines named."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bot.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, list[dict], str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


def test_classify_file_with_a_malformed_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps(
            {
                "id": "d1",
                "title": "Bank's AI agent now resolves most chats",
                "text": "The bank said its AI agent now handles 2 million customer chats a month.",
                "published": "2026-02-01",
            }
        ),
        '{"id": "broken", "text": "unterminated',
        json.dumps({"id": "s1", "text": "The home side won the derby 2-1 with a late goal."}),
        json.dumps(
            {
                "id": "law",
                "title": "Governor signs AI bill",
                "text": "The governor signed the AI safety bill. The law takes effect on January 1, 2027.",
                "published": "2026-05-01",
            }
        ),
        json.dumps({"id": "nt"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code, rows, err = _run(capsys, ["classify", str(path)])
    assert code == 1
    assert re.search(r"line 2, column \d+: not valid JSON \(\w", err)
    assert "line 5: field 'text' is missing" in err
    assert "Traceback" not in err
    by_id = {r["id"]: r for r in rows}
    assert list(by_id) == ["d1", "s1", "law"]
    for r in rows:
        assert set(r) >= {"id", "relevant", "topics", "primary_topic", "signal"}
        assert set(r["signal"]) == {"label", "subtype", "confidence", "evidence"}
        assert r["signal"]["label"] in {"deployment", "hype", "neither"}
        assert 0.0 <= r["signal"]["confidence"] <= 1.0
    assert by_id["d1"]["relevant"] is True
    assert by_id["d1"]["primary_topic"] == "agents"
    assert by_id["d1"]["signal"]["label"] == "deployment" and by_id["d1"]["signal"]["evidence"]
    assert by_id["s1"]["relevant"] is False and by_id["s1"]["topics"] == []
    assert by_id["law"]["primary_topic"] == "regulation"
    assert (by_id["law"]["signal"]["label"], by_id["law"]["signal"]["subtype"]) == (
        "hype",
        "proposal",
    )


def test_classify_stdin_odd_texts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        {"id": 1, "text": ""},
        {"id": 2, "text": "AI"},
        {"id": 3, "text": "El modelo de lenguaje se lanzó ayer en España para todos los usuarios."},
        {
            "id": 4,
            "title": "Lab raises $1 billion",
            "text": "The AI lab raised $1 billion in a Series C funding round. " * 4000,
        },
        {"id": 5, "text": "[1, 2]"},
    ]
    stdin = "\n".join(json.dumps(r) for r in records) + "\n[1, 2]\n\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code, rows, err = _run(capsys, ["classify", "-"])
    assert code == 1 and "line 6: expected a JSON object, got list" in err
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["signal"]["label"] == "neither" and rows[0]["relevant"] is False
    assert rows[1]["signal"]["label"] == "neither"
    assert (rows[3]["signal"]["label"], rows[3]["signal"]["subtype"]) == ("hype", "funding")
    assert rows[3]["primary_topic"] == "investment"


def test_fixture_articles_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = [json.loads(x) for x in (DATA / "fixture_articles.jsonl").read_text().splitlines()]
    code, rows, _ = _run(capsys, ["classify", str(DATA / "fixture_articles.jsonl")])
    assert code == 0 and len(rows) == len(fixture)
    labelled = [(f, r) for f, r in zip(fixture, rows, strict=True) if f["label"]]
    hits = sum(f["label"] == r["signal"]["label"] for f, r in labelled)
    # measured 27/32 (0.844) on this self-written fixture; pinned slightly below
    assert hits / len(labelled) >= 0.81, f"article label accuracy {hits}/{len(labelled)}"


def test_bad_taxonomy_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "tax.yaml"
    bad.write_text("topics:\n  - name: chips\n    description: GPUs\n    examples: GPUs\n")
    monkeypatch.setenv("BRIEFING_TAXONOMY", str(bad))
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "hello world"}\n')
    code = main(["classify", str(src)])
    err = capsys.readouterr().err
    assert code == 2
    assert "topics[0].examples: must be a list of strings" in err


def test_classify_in_a_new_process_prints_only_its_output(tmp_path: Path) -> None:
    # the model load must not draw a progress bar on stderr: scripts read that stream for errors
    import os
    import subprocess
    import sys

    line = json.dumps(
        {"id": "q", "text": "The bank said its AI agent now handles 2 million chats."}
    )
    env = {**os.environ, "BRIEFING_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "classify", "-"],
        input=line + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""
    assert json.loads(done.stdout)["id"] == "q"


def test_published_in_rfc_822_is_read_and_an_unreadable_one_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    law = "The governor signed the AI bill. The law takes effect on January 1, 2027."
    lines = [
        json.dumps({"id": "rfc", "text": law, "published": "Tue, 10 Mar 2026 08:00:00 GMT"}),
        json.dumps({"id": "later", "text": law, "published": "Sat, 06 Mar 2027 08:00:00 GMT"}),
        json.dumps({"id": "odd", "text": law, "published": "last tuesday"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code, rows, err = _run(capsys, ["classify", str(path)])
    assert code == 0  # a warning, not a failed line
    by_id = {r["id"]: r["signal"] for r in rows}
    assert (by_id["rfc"]["label"], by_id["rfc"]["subtype"]) == ("hype", "proposal")
    assert by_id["later"]["label"] == "deployment"  # in force by then
    assert set(by_id) == {"rfc", "later", "odd"}
    assert "line 3: warning: 'published' is not a date" in err
    evidence = by_id["rfc"]["evidence"]
    assert len(evidence) == len(set(evidence))  # a sentence is cited once
