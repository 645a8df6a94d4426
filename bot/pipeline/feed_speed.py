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

3. ``FeedParserDict.get``/``__getitem__``/``__contains__`` (a quarter of a million calls) check
   special and aliased keys first and turn a missing key into a raised and caught KeyError.
   For the other keys (nearly all calls) the plain ``dict`` method returns exactly the same, so
   :func:`_fast_dict_methods` routes those straight to it.

4. Every start tag re-resolves ``xml:base`` against the current base (``_urljoin(base, base)``
   nearly always): a regular-expression substitution and ``urllib.parse.urljoin`` 47,000 times
   for 3,700 entries. ``_urljoin`` is a pure function of two strings, so a small LRU cache in
   front of it returns identical results.

5. ``_FeedParserMixin.pop`` (once per element) runs that translate on every element's text even
   though nearly none holds a mapped code point, and deep-copies ``contentparams`` (a flat
   FeedParserDict of strings) for every content element. :func:`rewritten_pop` compiles feedparser's
   own ``pop`` with two substitutions: translate only when a mapped code point is present (a C
   regex scan; translate is the identity otherwise), and a flat copy when the dict holds only
   strings, numbers, booleans or None under ordinary keys (``copy.deepcopy`` otherwise).

Together they take feedparser from 7.8 s to 4.7 s of CPU on those 100 feeds (1 and 2), and the
rewritten ``pop`` saves another 1.2 s of the 6.5 s that parsing and preparing them costs.
:func:`install` is idempotent and does nothing if feedparser's internals have moved (a later
feedparser release): the parse is then as correct as before, only slower.
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.sax import expatreader

_BUFFER = 1 << 16
# (object, attribute, stock value, sped-up value) for every attribute install() replaces
_patches: list[tuple[Any, str, Any, Any]] = []
_installed = False


class BufferedExpatParser(expatreader.ExpatParser):
    """The standard expat SAX driver with text buffering switched on."""

    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True  # type: ignore[attr-defined]
        self._parser.buffer_size = _BUFFER  # type: ignore[attr-defined]


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    """The SAX driver factory that ``xml.sax.make_parser`` looks up by module name."""
    return BufferedExpatParser(*args, **kwargs)


def cp1252_table(mapping: dict[int, str]) -> list[Any]:
    """A translate table over the Basic Multilingual Plane equal to ``mapping``."""
    table: list[Any] = list(range(0x10000))
    for code, value in mapping.items():
        table[int(code)] = value
    return table


_SPECIAL_KEYS = frozenset({"category", "enclosures", "license", "updated", "updated_parsed"})


def _fast_dict_methods(cls: Any) -> dict[str, Any]:
    """Replacement methods for FeedParserDict: plain dict access for ordinary keys."""
    slow_get, slow_getitem, slow_contains = cls.get, cls.__getitem__, cls.__contains__
    aliased = frozenset(cls.keymap) | _SPECIAL_KEYS

    def get(self: Any, key: Any, default: Any = None) -> Any:
        if key in aliased:
            return slow_get(self, key, default)
        return dict.get(self, key, default)

    def getitem(self: Any, key: Any) -> Any:
        if key in aliased:
            return slow_getitem(self, key)
        return dict.__getitem__(self, key)

    def contains(self: Any, key: Any) -> bool:
        if key in aliased:
            return bool(slow_contains(self, key))
        return dict.__contains__(self, key)

    return {"get": get, "__getitem__": getitem, "__contains__": contains}


def _cached_urljoin(original: Any) -> Any:
    cached = functools.lru_cache(maxsize=4096)(original)

    def urljoin(base: Any, uri: Any) -> Any:
        try:
            return cached(base, uri)
        except TypeError:  # an unhashable argument: feedparser's own function decides
            return original(base, uri)

    return urljoin


_ATOMS = (str, int, float, bool, type(None))


def _flat_copy(cls: Any) -> Any:
    """``copy.deepcopy`` for feedparser's contentparams, without its generic machinery."""
    import copy

    aliased = frozenset(cls.keymap)

    def copy_params(value: Any) -> Any:
        if (
            type(value) is cls
            and not vars(value)
            and all(isinstance(v, _ATOMS) for v in dict.values(value))
            and not any(k in aliased for k in dict.keys(value))
        ):
            # mypy narrows cls to type[Any] after `type(value) is cls` and then checks the call
            # against type.__new__ (the metaclass), not cls's own __new__: a checker false positive
            new = cls.__new__(cls)  # type: ignore[call-overload]
            dict.update(new, dict.items(value))
            return new
        return copy.deepcopy(value)

    return copy_params


# (feedparser's text, ours, how often it must occur) for rewritten_pop
_POP_SWAPS = (
    (
        "output = output.translate(_cp1252)",
        "output = output.translate(_cp1252) if _briefing_mapped(output) else output",
        1,
    ),
    ("copy.deepcopy(self.contentparams)", "_briefing_copy_params(self.contentparams)", 3),
)


def rewritten_pop(mixin: Any, mapping: dict[int, str]) -> Any | None:
    """feedparser's own ``_FeedParserMixin.pop`` with the two substitutions; None if it moved."""
    func = getattr(getattr(mixin, "_FeedParserMixin", None), "pop", None)
    try:
        lines, first = inspect.getsourcelines(func)  # type: ignore[arg-type]
        filename = inspect.getsourcefile(func)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None
    src = textwrap.dedent("".join(lines))
    for old, new, times in _POP_SWAPS:
        if src.count(old) != times:
            return None
        src = src.replace(old, new)
    namespace: dict[str, Any] = {}
    # blank lines first, so tracebacks point at feedparser's own line numbers
    exec(compile("\n" * (first - 1) + src, filename or "<pop>", "exec"), vars(mixin), namespace)  # noqa: S102
    return namespace.get("pop")


def mapped_search(mapping: dict[int, str]) -> Any:
    """Whether a text holds any code point the cp1252 fix-up maps (translate changes nothing
    else). One substring search per code point (a C scan each) takes a fifth of the time of
    one character-class regular expression over the non-ASCII texts of the benchmark feeds."""
    chars = tuple(chr(int(c)) for c in sorted(mapping))

    def search(text: str) -> bool:
        return any(c in text for c in chars)

    return search


class AtStart:
    """A pattern anchored with ``^`` (no MULTILINE) matches at position 0 or nowhere, so its
    ``search`` is ``match`` and its ``sub`` needs one replacement. feedparser's
    ``convert_to_utf8`` searches and substitutes its XML declaration pattern over the whole
    decoded document: re's search tries the anchor at every position."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def search(self, data: str) -> re.Match[str] | None:
        return self.pattern.match(data)

    def sub(self, repl: str, data: str) -> str:
        return self.pattern.sub(repl, data, count=1)


def install() -> bool:
    """Switch the speed-ups on in this process; returns whether feedparser took them."""
    if _installed:
        return True
    try:
        import feedparser.api
        import feedparser.mixin
        import feedparser.urls
        import feedparser.util
    except ImportError:
        return False
    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    mapping = getattr(feedparser.mixin, "_cp1252", None)
    cls = getattr(feedparser.util, "FeedParserDict", None)
    if (
        not isinstance(preferred, list)
        or not isinstance(mapping, dict)
        or not isinstance(getattr(cls, "keymap", None), dict)
    ):
        return False
    api = feedparser.api
    _patches.append((api, "PREFERRED_XML_PARSERS", list(preferred), [__name__, *preferred]))
    _patches.append((feedparser.mixin, "_cp1252", mapping, cp1252_table(mapping)))
    for name, fast in _fast_dict_methods(cls).items():
        _patches.append((cls, name, getattr(cls, name), fast))
    join = feedparser.urls._urljoin
    fast_join = _cached_urljoin(join)
    for module in (feedparser.urls, feedparser.mixin):  # mixin imported the name itself
        _patches.append((module, "_urljoin", join, fast_join))
    import feedparser.encodings

    declaration = getattr(feedparser.encodings, "RE_XML_DECLARATION", None)
    if (
        isinstance(declaration, re.Pattern)
        and isinstance(declaration.pattern, str)
        and declaration.pattern.startswith("^")
        and not declaration.flags & re.MULTILINE
    ):
        _patches.append(
            (feedparser.encodings, "RE_XML_DECLARATION", declaration, AtStart(declaration))
        )
    pop = rewritten_pop(feedparser.mixin, mapping)
    if pop is not None:
        mixin = feedparser.mixin
        _patches.append((mixin, "_briefing_mapped", None, mapped_search(mapping)))
        _patches.append((mixin, "_briefing_copy_params", None, _flat_copy(cls)))
        _patches.append((mixin._FeedParserMixin, "pop", mixin._FeedParserMixin.pop, pop))
    _switch(True)
    return True


def _switch(on: bool) -> None:
    global _installed
    for target, name, stock, fast in _patches:
        setattr(target, name, fast if on else stock)
    _installed = on


def active() -> bool:
    """Whether the speed-ups are on (parse_feed then also tries :mod:`bot.pipeline.feed_tree`)."""
    return _installed


@contextmanager
def disabled() -> Iterator[None]:
    """feedparser exactly as shipped, for the checks that compare both (tests, robustness)."""
    if not _installed:
        yield
        return
    _switch(False)
    try:
        yield
    finally:
        _switch(True)
