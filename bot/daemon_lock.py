"""One daemon per database: an exclusive lock held for the daemon's whole life.

SQLite: an ``fcntl`` lock on ``<database>.daemon.lock`` beside the database file (released by
the kernel when the process dies, so a crash never leaves a stale lock); the file holds the
holder's pid and start time for ``briefing status``. PostgreSQL: a session-level
``pg_advisory_lock`` on a connection kept open (also released when the process dies).
"""

from __future__ import annotations

import fcntl
import json
import os
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url

from bot.errors import StorageError

PG_LOCK_KEY = zlib.crc32(b"briefing-daemon")  # one fixed key per database


def lock_path(engine: Engine) -> Path | None:
    """The lock file of an SQLite database (None on other backends or in-memory databases)."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).with_name(Path(url.database).name + ".daemon.lock")


class DaemonLock:
    """Held while the daemon runs; ``acquire`` raises StorageError when another daemon holds it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._fh: Any = None
        self._conn: Connection | None = None

    def acquire(self) -> DaemonLock:
        """Take the lock at once or raise StorageError naming the holder."""
        path = lock_path(self.engine)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "a+")  # noqa: SIM115 (held open for the daemon's life)
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = read_holder(self.engine)
                fh.close()
                pid = f" (pid {holder['pid']})" if holder and holder.get("pid") else ""
                raise StorageError(
                    f"another briefing daemon{pid} is already running on this database "
                    f"(lock {path}); stop it first"
                ) from None
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps({"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat()}))
            fh.flush()
            self._fh = fh
            return self
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}).scalar()
            conn.commit()
            if not got:
                conn.close()
                raise StorageError(
                    "another briefing daemon is already running on this database "
                    "(PostgreSQL advisory lock held); stop it first"
                )
            self._conn = conn
            return self
        raise StorageError(f"the daemon cannot lock a {self.engine.dialect.name} database")

    def release(self) -> None:
        """Let go of the lock (also happens when the process exits)."""
        if self._fh is not None:
            try:
                self._fh.seek(0)
                self._fh.truncate()
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> DaemonLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_holder(engine: Engine) -> dict[str, Any] | None:
    """The pid and start time written by the running daemon (SQLite only), if any."""
    path = lock_path(engine)
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text() or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def daemon_running(engine: Engine) -> bool:
    """True when a daemon holds the lock of this database right now."""
    lock = DaemonLock(engine)
    try:
        lock.acquire()
    except StorageError:
        return True
    lock.release()
    return False
