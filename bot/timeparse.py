"""Dates given on the command line: relative (``2d``, ``12h``, ``1h30m``, ``3w``: that long before
now) or absolute (``2026-01-31``, ``2026-01-31T08:00``, ISO 8601 with an offset; naive means UTC).

One parser for every command (`--since`, `--until`, `--now`), so they all accept the same spellings.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import overload

from bot.errors import UsageError

_PART = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
_RELATIVE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """A timezone-aware UTC datetime (SQLite hands back naive values, stored as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_when(
    value: str, *, flag: str, now: datetime | None = None, end: bool = False
) -> datetime:
    """Parse ``2d`` / ``1h30m`` / ``2026-01-31`` / ISO 8601 into UTC, or raise UsageError naming ``flag``.

    A bare date is midnight UTC, or the last instant of that day when ``end`` is true.
    """
    now = now or datetime.now(UTC)
    if _RELATIVE.match(value):
        seconds = sum(int(n) * _UNITS[u.lower()] for n, u in _PART.findall(value))
        return now - timedelta(seconds=seconds)
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) - timedelta(microseconds=1) if end else start
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{flag}: cannot parse date {value!r} (use e.g. 2d, 12h, 3w or 2026-01-31)"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
