"""Two speed-ups for feedparser that leave its output unchanged (measured: identical parses).

Profiling the 100 real feeds of ``../shared/data/feeds/real_feeds`` (``scripts/bench_crawl.py``)
showed two hot spots in feedparser 6.0 that cost more than the parsing itself:

1. The SAX reader hands character data over in small pieces (expat splits text at every entity and
   newline), so feedparser's ``characters``/``handle_data`` ran 1.3 million times for 3,700
   entries. Expat can coalesce contiguous text itself (``buffer_text``); :func:`create_parser`
   is a SAX driver doing that, registered in feedparser's preferred-parser list. feedparser joins
   the pieces anyway, so the result is the same string.
2. Every element's text goes through ``str.translate`` with a *dict* (the cp1252 fix-up). For
   non-ASCII text CPython looks up every character and raises a KeyError internally for each one
   that is not mapped. A list indexed by code point gives the same mapping (code points past the
   list raise IndexError, which translate treats as "unmapped" too) at C speed.

Together they take feedparser from 7.8 s to 4.7 s of CPU on those 100 feeds.
:func:`install` is idempotent and does nothing if feedparser's internals have moved (a later
feedparser release): the parse is then as correct as before, only slower.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.sax import expatreader

_BUFFER = 1 << 16
_installed = False
_original_cp1252: dict[int, str] | None = None


class BufferedExpatParser(expatreader.ExpatParser):
    """The standard expat SAX driver with text buffering switched on."""

    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True
        self._parser.buffer_size = _BUFFER


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    """The SAX driver factory that ``xml.sax.make_parser`` looks up by module name."""
    return BufferedExpatParser(*args, **kwargs)


def cp1252_table(mapping: dict[int, str]) -> list[Any]:
    """A translate table over the Basic Multilingual Plane equal to ``mapping``."""
    table: list[Any] = list(range(0x10000))
    for code, value in mapping.items():
        table[int(code)] = value
    return table


def install() -> bool:
    """Switch both speed-ups on in this process; returns whether feedparser took them."""
    global _installed, _original_cp1252
    if _installed:
        return True
    try:
        import feedparser.api
        import feedparser.mixin
    except ImportError:
        return False
    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    mapping = getattr(feedparser.mixin, "_cp1252", None)
    if not isinstance(preferred, list) or not isinstance(mapping, dict):
        return False
    if __name__ not in preferred:
        preferred.insert(0, __name__)
    _original_cp1252 = mapping
    feedparser.mixin._cp1252 = cp1252_table(mapping)
    _installed = True
    return True


@contextmanager
def disabled() -> Iterator[None]:
    """feedparser exactly as shipped, for the checks that compare both (tests, robustness)."""
    global _installed
    if not _installed:
        yield
        return
    import feedparser.api
    import feedparser.mixin

    preferred = feedparser.api.PREFERRED_XML_PARSERS
    table = feedparser.mixin._cp1252
    preferred.remove(__name__)
    feedparser.mixin._cp1252 = _original_cp1252
    _installed = False
    try:
        yield
    finally:
        preferred.insert(0, __name__)
        feedparser.mixin._cp1252 = table
        _installed = True
