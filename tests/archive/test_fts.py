"""The SQLite full-text index is fed from a queue: nothing stored is ever unsearchable or stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.archive.fts import index_pending, index_pending_now, keyword_matches
from bot.config import Settings
from bot.pipeline.importer import import_articles
from bot.store.db import make_engine, open_engine, session_scope
from bot.store.models import Article, utcnow


def _queued(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM articles_fts_pending")).scalar() or 0)


def _integrity_ok(engine: Engine) -> None:
    """FTS5's own check of the index against the articles table (raises if they disagree)."""
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
        )


def _hits(engine: Engine, query: str) -> set[int]:
    with engine.connect() as conn:
        return {i for i, _ in keyword_matches(conn, query, 100)}


def _add_raw(engine: Engine, title: str, body: str) -> int:
    """An article stored the way a crawl stores one (queued, not yet indexed)."""
    with session_scope(engine) as session:
        row = Article(
            url=f"https://example.org/{abs(hash(title))}",
            canonical_url=f"https://example.org/{abs(hash(title))}",
            content_hash=str(abs(hash(body))),
            title=title,
            summary="",
            text=body,
            first_seen_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return int(row.id or 0)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    return open_engine(f"sqlite:///{tmp_path / 'fts.db'}")


def test_imported_articles_are_searchable_at_once(sqlite_engine: Engine) -> None:
    counts = import_articles(
        sqlite_engine,
        [
            {
                "url": "https://a.example/1",
                "title": "Wafer fab opens",
                "text": "A new fab in Ohio.",
            },
            {
                "url": "https://a.example/2",
                "title": "Agents at work",
                "text": "Agents file tickets.",
            },
        ],
    )
    assert counts["new"] == 2
    assert _queued(sqlite_engine) == 0
    assert len(_hits(sqlite_engine, "Ohio")) == 1
    _integrity_ok(sqlite_engine)


def test_queued_rows_are_indexed_with_their_latest_text(sqlite_engine: Engine) -> None:
    first = _add_raw(sqlite_engine, "Feed title", "summary words from the feed")
    second = _add_raw(sqlite_engine, "Gone soon", "this article is deleted before indexing")
    assert _queued(sqlite_engine) == 2
    assert _hits(sqlite_engine, "feed") == set()  # queued: not in the index yet
    with session_scope(sqlite_engine) as session:  # page extracted while still queued
        row = session.get(Article, first)
        assert row is not None
        row.text = "the extracted page about photonic interconnects"
        session.add(row)
        gone = session.get(Article, second)
        session.delete(gone)
    assert _queued(sqlite_engine) == 1  # the deleted article left the queue with it
    assert index_pending_now(sqlite_engine) == 1
    assert _queued(sqlite_engine) == 0
    assert _hits(sqlite_engine, "photonic") == {first}
    assert _hits(sqlite_engine, "summary") == set()  # the old text was never indexed
    assert _hits(sqlite_engine, "deleted") == set()
    _integrity_ok(sqlite_engine)


def test_indexed_rows_follow_updates_and_deletes(sqlite_engine: Engine) -> None:
    art = _add_raw(sqlite_engine, "Chip export rule", "The rule takes effect in March.")
    other = _add_raw(sqlite_engine, "Another story", "Unrelated robotics news.")
    index_pending_now(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        row = session.get(Article, art)
        assert row is not None
        row.text = "The rule was delayed until September."
        session.add(row)
        session.delete(session.get(Article, other))
    assert _hits(sqlite_engine, "September") == {art}
    assert _hits(sqlite_engine, "March") == set()
    assert _hits(sqlite_engine, "robotics") == set()
    _integrity_ok(sqlite_engine)


def test_min_rows_leaves_a_small_queue_for_later(sqlite_engine: Engine) -> None:
    _add_raw(sqlite_engine, "One", "first queued article")
    _add_raw(sqlite_engine, "Two", "second queued article")
    with sqlite_engine.begin() as conn:
        assert index_pending(conn, min_rows=3) == 0
        assert index_pending(conn, min_rows=2) == 2


def test_search_indexes_what_a_killed_writer_left_queued(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A crawl killed after committing articles but before indexing them: search still finds them."""
    from bot.archive.search import search

    art = _add_raw(sqlite_engine, "Datacentre lease signed", "A gigawatt campus in Texas.")
    settings = Settings(home=tmp_path, database_url=str(sqlite_engine.url))
    found = search(sqlite_engine, settings, "gigawatt", mode="keyword")
    assert [r["id"] for r in found] == [art]
    assert _queued(sqlite_engine) == 0


def test_upgrade_keeps_an_index_built_by_the_old_triggers(tmp_path: Path) -> None:
    """A 0009 database (articles indexed by the insert trigger) upgrades without reindexing."""
    from alembic import command
    from alembic.config import Config

    from bot.store.db import MIGRATIONS_DIR

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009_extraction_attempts")
    old = _add_raw(engine, "Indexed by the old trigger", "Quantum annealer benchmark.")
    assert _hits(engine, "annealer") == {old}
    engine = open_engine(str(engine.url))  # upgrades to the newest revision
    assert _hits(engine, "annealer") == {old}
    new = _add_raw(engine, "Queued by the new trigger", "Annealer shipments begin.")
    assert _queued(engine) == 1
    index_pending_now(engine)
    assert _hits(engine, "annealer") == {old, new}
    _integrity_ok(engine)
