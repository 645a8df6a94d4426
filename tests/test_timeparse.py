from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import UsageError
from bot.timeparse import parse_when

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("2d", timedelta(days=2)),
        ("12h", timedelta(hours=12)),
        ("1h30m", timedelta(minutes=90)),
        ("3w", timedelta(weeks=3)),
        ("45s", timedelta(seconds=45)),
    ],
)
def test_relative_durations_count_back_from_now(text: str, delta: timedelta) -> None:
    assert parse_when(text, flag="--since", now=NOW) == NOW - delta


def test_absolute_dates_are_utc_and_until_includes_the_whole_day() -> None:
    assert parse_when("2026-01-31", flag="--since") == datetime(2026, 1, 31, tzinfo=UTC)
    end = parse_when("2026-01-31", flag="--until", end=True)
    assert end.date().isoformat() == "2026-01-31" and end.hour == 23
    assert parse_when("2026-01-31T08:00+02:00", flag="--since") == datetime(
        2026, 1, 31, 6, tzinfo=UTC
    )


def test_unparseable_date_names_the_flag() -> None:
    with pytest.raises(UsageError, match="--until: cannot parse date 'last tuesday'"):
        parse_when("last tuesday", flag="--until")
