"""Background WAL checkpoints (bot/store/checkpoint.py) on a real SQLite file."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from bot.store.checkpoint import AUTO_CHECKPOINT_PAGES, background_checkpoints
from bot.store.db import make_engine


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() or 0)


def _write(engine: Engine, megabytes: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)"))
    for _ in range(megabytes):
        with engine.begin() as conn:  # one commit per megabyte, as a crawl commits per group
            conn.execute(text("INSERT INTO t (body) VALUES (:b)"), [{"b": "x" * 4096}] * 256)


def test_commits_do_not_checkpoint_while_the_thread_does(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    engine = make_engine(f"sqlite:///{db}")
    assert _autocheckpoint(engine) == AUTO_CHECKPOINT_PAGES
    with background_checkpoints(engine, interval_s=0.05):
        assert "wal-checkpoint" in {t.name for t in threading.enumerate()}
        assert _autocheckpoint(engine) == 0  # the writer's commits leave the log alone
        _write(engine, 6)
        deadline = time.monotonic() + 10
        while os.path.getsize(db) < 6 * 1024 * 1024 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.getsize(db) >= 6 * 1024 * 1024  # the thread copied the log back
    assert _autocheckpoint(engine) == AUTO_CHECKPOINT_PAGES  # and commits checkpoint again
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 6 * 256
    engine.dispose()


def test_without_the_thread_nothing_checkpoints_a_log_that_autocheckpoint_zero_keeps(
    tmp_path: Path,
) -> None:
    # the control for the test above: with commits not checkpointing and no thread, the
    # database file stays small and the rows live in the log only
    db = tmp_path / "c.db"
    engine = make_engine(f"sqlite:///{db}")
    event.listen(engine, "connect", lambda c, _r: c.cursor().execute("PRAGMA wal_autocheckpoint=0"))
    _write(engine, 6)
    time.sleep(0.2)
    assert os.path.getsize(db) < 1024 * 1024
    assert os.path.getsize(str(db) + "-wal") >= 6 * 1024 * 1024
    engine.dispose()


def test_other_databases_are_left_alone() -> None:
    engine = make_engine("sqlite://")  # in memory: no log to checkpoint, no thread started
    with background_checkpoints(engine):
        assert "wal-checkpoint" not in {t.name for t in threading.enumerate()}
        assert _autocheckpoint(engine) == AUTO_CHECKPOINT_PAGES
