from __future__ import annotations

from sqlalchemy import inspect, text
from sqlmodel import select

from bot.store.db import open_engine
from bot.store.models import Source


def test_migrate_is_idempotent_and_creates_tables(db_url: str) -> None:
    engine = open_engine(db_url)
    open_engine(db_url)  # second migration run is a no-op
    tables = set(inspect(engine).get_table_names())
    assert {"sources", "articles", "fetch_state", "runs", "stories", "embeddings"} <= tables
    with engine.connect() as conn:
        heads = conn.execute(text("select version_num from alembic_version")).scalars().all()
    assert heads, "alembic_version must record the applied revision"


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_json_columns_round_trip(engine) -> None:  # type: ignore[no-untyped-def]
    from bot.store.db import session_scope

    with session_scope(engine) as s:
        s.add(Source(slug="x", name="X", url="https://x.example/feed", tags=["a", "b"]))
    with session_scope(engine) as s:
        src = s.exec(select(Source)).one()
        assert src.tags == ["a", "b"]
