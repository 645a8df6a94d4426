"""Dates mentioned in a sentence, for judging "took effect on <date>" against the publication date."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import date

_F = re.IGNORECASE

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
MONTH_NAME = (  # a month name, full or short (lower case)
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_MDY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b",
    _F,
)
_DATE_DMY = re.compile(
    r"\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+((?:19|20)\d\d)\b",
    _F,
)
_DATE_MY = re.compile(
    r"\b(?:(early|mid|late|end of)[- ])?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+((?:19|20)\d\d)\b",
    _F,
)
_DATE_Y = re.compile(
    r"\b(?:in|by|from|until|before|after|end of|start of|early|late|mid-?)\s+((?:19|20)\d\d)\b", _F
)
_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")


def find_dates(sentence: str) -> list[date]:
    """Dates mentioned in ``sentence`` (a month alone means its first day; a year alone, January 1)."""
    found: list[date] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], d: date) -> None:
        if not any(a <= m.start() < b for a, b in taken):
            found.append(d)
            taken.append(m.span())

    for m in _ISO.finditer(sentence):
        _try(add, m, int(m[1]), int(m[2]), int(m[3]))
    for m in _DATE_MDY.finditer(sentence):
        _try(add, m, int(m[3]), MONTHS[m[1].lower()[:3]], int(m[2]))
    for m in _DATE_DMY.finditer(sentence):
        _try(add, m, int(m[3]), MONTHS[m[2].lower()[:3]], int(m[1]))
    for m in _DATE_MY.finditer(sentence):
        day = 28 if (m[1] or "").lower() in {"late", "end of"} else 1
        _try(add, m, int(m[3]), MONTHS[m[2].lower()[:3]], day)
    for m in _DATE_Y.finditer(sentence):
        end = m.group(0).lower().startswith(("end", "late"))
        _try(add, m, int(m[1]), 12 if end else 1, 31 if end else 1)
    return found


def _try(
    add: Callable[[re.Match[str], date], None], m: re.Match[str], y: int, mo: int, d: int
) -> None:
    with contextlib.suppress(ValueError):
        add(m, date(y, mo, d))


_MONTH_DAY = re.compile(r"\b(" + MONTH_NAME + r")\.? (\d{1,2})\b(?!,? ?\d)")
_DAY_MONTH = re.compile(r"\b(\d{1,2}) (" + MONTH_NAME + r")\b(?!,? ?\d)")


def date_ahead(sentence: str, published: date) -> bool:
    """Does the sentence name a date after ``published``? A day and month without a year
    ("on September 15") is read in the publication's year."""
    if any(d > published for d in find_dates(sentence)):
        return True
    low = sentence.lower()
    days = [(m[1], m[2]) for m in _MONTH_DAY.finditer(low)]
    days += [(m[2], m[1]) for m in _DAY_MONTH.finditer(low)]
    for month, day in days:
        with contextlib.suppress(ValueError):
            if date(published.year, MONTHS[month[:3]], int(day)) > published:
                return True
    return False
