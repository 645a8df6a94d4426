"""One ``digest send`` at a time per database, so two senders (cron and the daemon, say) never
build and send the same digest twice.

SQLite: an ``fcntl`` lock on ``<database>.send.lock`` beside the database file. PostgreSQL: a
session-level ``pg_advisory_lock`` on a connection held for the send. Both are released by the
operating system or the server when the process dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from bot.errors import StorageError

PG_LOCK_KEY = zlib.crc32(b"briefing-digest-send")
POLL_S = 0.2


def _lock_file(engine: Engine) -> Path | None:
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).with_name(Path(url.database).name + ".send.lock")


def _busy(wait_s: float) -> StorageError:
    return StorageError(
        f"another `briefing digest send` is running on this database (waited {wait_s:g}s); "
        "try again when it has finished"
    )


@contextmanager
def send_lock(engine: Engine, wait_s: float = 60.0) -> Iterator[None]:
    """Hold the send lock for the block; waits up to ``wait_s`` seconds, then StorageError."""
    deadline = time.monotonic() + wait_s
    path = _lock_file(engine)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() >= deadline:
                        raise _busy(wait_s) from None
                    time.sleep(POLL_S)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return
    if engine.dialect.name != "postgresql":
        yield  # other backends: no cross-process lock available
        return
    with engine.connect() as conn:
        while not conn.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}
        ).scalar():
            conn.rollback()
            if time.monotonic() >= deadline:
                raise _busy(wait_s)
            time.sleep(POLL_S)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
            conn.commit()
