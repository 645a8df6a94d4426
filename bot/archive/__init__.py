"""The archive: hybrid search over every stored article, ``show`` by id, and export."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from bot.errors import StorageError


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn a locked or unreachable database into one clear StorageError."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig)
        if "locked" in text or "busy" in text:
            raise StorageError(
                "the database is locked by another process (a long write, or a tool holding an "
                "exclusive lock); try again when it finishes"
            ) from exc
        raise StorageError(f"database error: {text}") from exc
