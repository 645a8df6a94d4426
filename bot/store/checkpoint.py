"""Background WAL checkpoints for the stages that write a lot at once (SQLite only).

In WAL mode SQLite appends every commit to the ``-wal`` file and, by default, the committing
connection itself copies the log back into the database (a checkpoint, with an fsync) once the
log passes 1,000 pages. A crawl's writer thread is its critical path: a first crawl of the 100
benchmark feeds writes about 25 MB, and the checkpoints it ran cost its store chain 0.25-0.5 s
of wall time out of 1.5-1.8 s (measured storing the 100 feeds' entries alone).

:func:`background_checkpoints` moves that work to a thread of its own, as SQLite's documentation
suggests for write-heavy applications: while it is active the engine's connections do not
checkpoint on commit (``PRAGMA wal_autocheckpoint=0``, a per-connection setting that is never
stored in the file), and the thread runs a PASSIVE checkpoint every ``interval_s``, which never
blocks the writer or readers. Afterwards connections checkpoint on commit again, so whatever the
log still holds is copied back by the next writer. Nothing here affects durability: a checkpoint
only moves committed pages from one file to the other, and a killed process leaves a log that
the next connection reads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
AUTO_CHECKPOINT_PAGES = 1000  # SQLite's default, restored when no background checkpointer runs
INTERVAL_S = 0.2
_active: WeakKeyDictionary[Engine, int] = WeakKeyDictionary()  # engine -> running checkpointers


def _on_checkout(engine: Engine) -> Any:
    def set_autocheckpoint(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        pages = 0 if _active.get(engine) else AUTO_CHECKPOINT_PAGES
        if record.info.get("wal_autocheckpoint") != pages:  # one statement per change only
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA wal_autocheckpoint={pages}")
            cur.close()
            record.info["wal_autocheckpoint"] = pages

    return set_autocheckpoint


def checkpoint_now(engine: Engine) -> None:
    """One PASSIVE checkpoint on a connection of its own; a failure is logged, never raised."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except SQLAlchemyError as exc:  # locked, read-only, gone: the next writer checkpoints
        log.debug("background checkpoint skipped: %s", exc)


@contextmanager
def background_checkpoints(engine: Engine, interval_s: float = INTERVAL_S) -> Iterator[None]:
    """While the block runs, WAL checkpoints happen in a background thread, not on commit."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        yield
        return
    if engine not in _active:
        event.listen(engine.pool, "checkout", _on_checkout(engine))
        _active[engine] = 0
    _active[engine] += 1
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval_s):
            checkpoint_now(engine)

    thread = threading.Thread(target=run, name="wal-checkpoint", daemon=True)
    thread.start()
    try:
        yield
    finally:
        _active[engine] -= 1
        stop.set()
        thread.join()
