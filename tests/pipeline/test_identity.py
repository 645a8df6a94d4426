"""Article identity: GUID, then canonical URL, then content hash (bot/pipeline/identity.py)."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from bot.pipeline.identity import (
    Candidate,
    IdentityIndex,
    canonical_url,
    content_hash,
    normalise_text,
    strip_tracking,
    upsert_candidate,
)
from bot.store.db import session_scope
from bot.store.models import Article, Source

TEXT = (
    "The agency published an interim rule on accelerator exports with a sixty-day comment period."
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "HTTPS://WWW.Example.COM:443/a/b/?utm_source=x&b=2&a=1#frag",
            "https://example.com/a/b?a=1&b=2",
        ),
        (
            "http://example.com:80/path/?fbclid=1&gclid=2&mc_cid=3&ref=rss",
            "http://example.com/path",
        ),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com//a//b/", "https://example.com/a/b"),
        ("", ""),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_content_hash_ignores_case_punctuation_and_spacing() -> None:
    assert content_hash("Hello, World", "A  b\nc!") == content_hash("hello world", "a b c")
    assert content_hash("Hello", "a") != content_hash("Hello", "b")


def _source(engine: Engine, slug: str) -> int:
    with session_scope(engine) as s:
        row = Source(slug=slug, name=slug, url=f"https://{slug}.example.org/feed")
        s.add(row)
        s.flush()
        return int(row.id or 0)


def _upsert(engine: Engine, source_id: int, *cands: Candidate) -> list[str]:
    with session_scope(engine) as s:
        index = IdentityIndex(s, source_id, list(cands))
        statuses = [upsert_candidate(index, c, text_source="feed")[0] for c in cands]
        index.flush()
        return statuses


def _count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.exec(select(func.count()).select_from(Article)).one())


def test_one_row_per_article_however_it_is_seen(engine: Engine) -> None:
    src = _source(engine, "wire")
    other = _source(engine, "other")
    first = Candidate(
        url="https://n.example.org/a?utm_source=rss", title="Rule", text=TEXT, guid="g1"
    )
    assert _upsert(engine, src, first) == ["new"]
    assert _upsert(engine, src, first) == ["unchanged"]
    # same GUID, new URL and title: an update of the same row
    moved = Candidate(url="https://n.example.org/a2", title="Rule (updated)", text=TEXT, guid="g1")
    assert _upsert(engine, src, moved) == ["updated"]
    # another source links the same page with tracking parameters: the canonical URL matches
    same_url = Candidate(
        url="https://www.n.example.org/a2/?fbclid=9", title="Rule (updated)", text=TEXT
    )
    assert _upsert(engine, other, same_url) == ["unchanged"]
    # no GUID, a different URL, but the same title and text: the content hash matches
    same_text = Candidate(
        url="https://mirror.example.org/x", title="rule (UPDATED)", text=TEXT + " "
    )
    assert _upsert(engine, other, same_text) == ["unchanged"]
    assert _count(engine) == 1
    with session_scope(engine) as s:
        row = s.exec(select(Article)).one()
        assert (row.title, row.guid, row.source_id) == ("Rule (updated)", "g1", src)


def test_guids_are_scoped_to_their_source_and_short_texts_never_match_by_hash(
    engine: Engine,
) -> None:
    a, b = _source(engine, "a"), _source(engine, "b")
    assert _upsert(
        engine, a, Candidate(url="https://a.example/1", title="Post", text="", guid="1")
    ) == ["new"]
    assert _upsert(
        engine, b, Candidate(url="https://b.example/1", title="Post", text="", guid="1")
    ) == ["new"]
    # duplicates inside one batch collapse too
    c = Candidate(url="https://a.example/2", title="Two", text=TEXT, guid="2")
    assert _upsert(engine, a, c, c) == ["new", "unchanged"]
    assert _count(engine) == 3


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            "https://www.Example.com/a/B/?utm_source=rss&id=7&fbclid=x",
            "https://www.Example.com/a/B/?id=7",
        ),
        ("https://example.com/a?z=1&a=2", "https://example.com/a?z=1&a=2"),  # order kept
        ("https://example.com/a?utm_medium=feed#top", "https://example.com/a#top"),
        ("https://example.com/plain", "https://example.com/plain"),
        ("http://[::1", "http://[::1"),  # unparseable: left alone
    ],
)
def test_strip_tracking_keeps_the_link_as_published(raw: str, shown: str) -> None:
    assert strip_tracking(raw) == shown


def _normalise_by_definition(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower()))


def test_normalise_text_equals_its_definition_on_random_unicode() -> None:
    """The bytes fast path must give exactly the regular-expression result (stored hashes
    depend on it): ASCII, typographic punctuation, accented and non-Latin letters, digits of
    other scripts, compatibility characters, combining marks and odd whitespace, mixed."""
    rng = random.Random(7)
    alphabet = (
        "abcXYZ019_ .,;:!?'\"-()[]&%$\n\t\r"
        "\u2018\u2019\u201c\u201d\u2013\u2014\u00a0\u2026\u00ab\u00bb\u2022\u00b7"
        "\u00e9\u00c0\u00df\u0130\u0131\u03a3\u0436\u4e2d\u0661\u0969\u2167\u212a\ufb01"
        "\uff21\u0301\u0345\u2028\u3000\U0001f600\u00bd\u00b2"
    )
    for _ in range(3000):
        sample = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert normalise_text(sample) == _normalise_by_definition(sample), repr(sample)
    for sample in [
        "",
        "Plain ASCII, only.",
        "it\u2019s \u201cfine\u201d \u2014 really",
        "Caf\u00e9",
    ]:
        assert normalise_text(sample) == _normalise_by_definition(sample)
