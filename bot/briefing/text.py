"""Plain-text helpers shared by the digest builder: cleaning feed text and splitting sentences."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")
# A sentence ends at . ! ? followed by space and a capital, digit or quote ("1.5" does not split).
_SENT_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z0-9\"“‘(])")
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORD_TEXT = (
    "a an and are as at be been but by for from had has have he her his in into is it its of on or "
    "our over said says she that the their them they this to was we were which while who will with "
    "would you not new also after more than about up out"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split(" "))


def clean_text(value: str | None, *, strip_tags: bool = False) -> str:
    """Feed text with whitespace collapsed; ``strip_tags`` for HTML summaries (tags, entities).

    Plain text keeps every character (a title like ``<!channel>`` stays visible, and renderers
    escape it); only fields that are HTML get their tags removed.
    """
    if not value:
        return ""
    if strip_tags:
        value = html.unescape(_TAG.sub(" ", value))
    return _SPACE.sub(" ", value).strip()


def split_sentences(text: str) -> list[str]:
    """Split cleaned text into sentences (a simple, deterministic rule, good enough for leads)."""
    return [s.strip() for s in _SENT_END.split(text) if s.strip()]


def content_words(text: str) -> list[str]:
    """Lower-cased word tokens without stopwords (for overlap scores)."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"
