"""`briefing import` as a library: JSON lines through the identity rules (bot/pipeline/importer.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.pipeline.importer import import_articles, read_json_lines
from bot.store.db import session_scope
from bot.store.models import Article, Source

TEXT = "Economists found that agents with a chatbot assistant resolved more issues per hour."


def test_import_applies_identity_and_reports_bad_lines(engine: Engine) -> None:
    lines = [
        json.dumps({"url": "https://a.example/1?utm_source=x", "title": "One", "text": TEXT,
                    "published": "2026-03-01T10:00:00+02:00", "source": "Wire Service", "id": "w-1"}),
        "",
        "{not json",
        json.dumps({"url": "ftp://a.example/2", "title": "Two", "text": "t"}),
        json.dumps({"url": "https://a.example/3", "title": "Three", "text": "t", "published": "yesterday"}),
        json.dumps({"url": "https://a.example/1", "title": "One", "text": TEXT}),  # same canonical URL
    ]  # fmt: skip
    summary = import_articles(engine, read_json_lines(lines))
    assert (summary["new"], summary["unchanged"], summary["failed"]) == (1, 1, 3)
    assert [e["line"] for e in summary["errors"]] == [3, 4, 5]
    assert "not valid JSON" in summary["errors"][0]["error"]
    assert summary["errors"][1]["error"].startswith("url:")
    assert summary["errors"][2]["error"].startswith("published:")
    with session_scope(engine) as s:
        (row,) = s.exec(select(Article)).all()
        assert row.published_at is not None  # SQLite hands back naive UTC, PostgreSQL aware
        assert row.published_at.replace(tzinfo=UTC) == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
        assert (row.external_id, row.text_source, row.extraction_status) == (
            "w-1",
            "import",
            "skipped",
        )
        source = s.get(Source, row.source_id)
        assert source is not None and (source.slug, source.active) == ("wire-service", False)
    # re-importing with the same id and a corrected title updates the row
    again = import_articles(
        engine,
        [{"url": "https://b.example/moved", "title": "One (fixed)", "text": TEXT, "id": "w-1"}],
    )
    assert (again["new"], again["updated"]) == (0, 1)
    with session_scope(engine) as s:
        assert [a.title for a in s.exec(select(Article)).all()] == ["One (fixed)"]
