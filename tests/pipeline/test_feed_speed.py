"""The feedparser speed-ups must not change a single parsed field."""

from __future__ import annotations

from pathlib import Path

import feedparser
import feedparser.api
import feedparser.mixin
import pytest

from bot.pipeline import feed_speed
from bot.pipeline.feeds import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
KW = {"sanitize_html": False, "resolve_relative_uris": False}

# Text that expat delivers in many pieces (entities, character references, newlines, CDATA),
# Windows-1252 code points that feedparser maps, and characters outside the BMP.
TRICKY = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Caf&#233; &amp; Co \u2014 news</title><link>https://example.org/</link>
<item><title>Line one
line two &lt;b&gt; \x80-\x9f? &#128; &#150; smart \u201cquotes\u201d \U0001f600</title>
<link>https://example.org/a?x=1&amp;y=2</link><guid isPermaLink="false">id-1</guid>
<description>a&amp;b&#160;c
d</description>
<content:encoded><![CDATA[<p>First &amp; para</p>
<p>Second</p>]]> tail &amp; more</content:encoded></item>
</channel></rss>
"""


def _parse_both(body: bytes) -> tuple[object, object]:
    fast = feedparser.parse(body, **KW)
    with feed_speed.disabled():
        stock = feedparser.parse(body, **KW)
    return fast, stock


def test_installed_by_the_feed_parser_module() -> None:
    assert feed_speed.install() is True
    assert feedparser.api.PREFERRED_XML_PARSERS[0] == "bot.pipeline.feed_speed"
    assert isinstance(feedparser.mixin._cp1252, list)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in FEEDS.iterdir() if p.suffix == ".xml"), ids=str
)
def test_fixture_feeds_parse_identically(name: str) -> None:
    fast, stock = _parse_both((FEEDS / name).read_bytes())
    assert fast.entries == stock.entries  # type: ignore[attr-defined]
    assert fast.feed == stock.feed  # type: ignore[attr-defined]


def test_split_text_entities_and_cp1252_parse_identically() -> None:
    body = TRICKY.encode("utf-8", "surrogatepass")
    fast, stock = _parse_both(body)
    assert fast.entries == stock.entries  # type: ignore[attr-defined]
    assert fast.feed == stock.feed  # type: ignore[attr-defined]
    entry = fast.entries[0]  # type: ignore[attr-defined]
    assert "\U0001f600" in entry.title and "\u20ac" in entry.title  # &#128; mapped to the euro sign
    assert entry.content[0].value.endswith("tail & more")


def test_the_speedup_really_coalesces_text() -> None:
    """A body whose text expat splits at every line: the buffered driver gets it in one piece."""
    calls: list[str] = []
    parser = feed_speed.create_parser()

    class Counting:
        def characters(self, data: str) -> None:
            calls.append(data)

        def __getattr__(self, _name: str):  # every other SAX callback: ignore
            return lambda *a, **k: None

    parser.setContentHandler(Counting())  # type: ignore[arg-type]
    from io import BytesIO

    parser.parse(BytesIO(b"<a>" + b"line &amp; more\n" * 200 + b"</a>"))
    assert "".join(calls) == "line & more\n" * 200
    assert len(calls) == 1


def test_parse_feed_output_unchanged_by_speedups() -> None:
    body = TRICKY.encode("utf-8", "surrogatepass")
    fast = parse_feed(body, url="https://example.org/feed")
    with feed_speed.disabled():
        stock = parse_feed(body, url="https://example.org/feed")
    assert fast.entries == stock.entries
    assert fast.entries[0].summary == "a&b c\nd"


def test_aliased_and_special_keys_still_resolve() -> None:
    """The fast dict methods must keep feedparser's aliases (guid -> id, description -> summary)."""
    body = TRICKY.encode("utf-8", "surrogatepass")
    entry = feedparser.parse(body, **KW).entries[0]  # type: ignore[attr-defined]
    assert entry["guid"] == entry["id"] == "id-1"
    assert entry.get("description") == entry["summary"] == "a&b\xa0c\nd"
    assert "guid" in entry and "nothing-here" not in entry
    assert entry.get("nothing-here", "default") == "default"
    with pytest.raises(KeyError):
        entry["category"]  # special key: no tags, same KeyError as stock feedparser
    with pytest.raises(AttributeError):
        _ = entry.nothing_here


def test_pop_is_feedparsers_own_with_two_substitutions() -> None:
    """The rewritten pop keeps feedparser's file and line numbers (tracebacks still point there)."""
    pop = feedparser.mixin._FeedParserMixin.pop
    stock = next(s for (_, name, s, _f) in feed_speed._patches if name == "pop")
    assert pop is not stock
    assert pop.__code__.co_filename == stock.__code__.co_filename
    assert pop.__code__.co_firstlineno == stock.__code__.co_firstlineno
    with feed_speed.disabled():
        assert feedparser.mixin._FeedParserMixin.pop is stock


def test_pop_rewrite_refuses_a_feedparser_whose_source_moved() -> None:
    class Moved:
        class _FeedParserMixin:
            def pop(self, element):  # no translate, no deepcopy: nothing to substitute
                return element

    assert feed_speed.rewritten_pop(Moved, {0x80: "\u20ac"}) is None


def test_flat_copy_equals_deepcopy_and_falls_back_for_nested_values() -> None:
    import copy

    cls = feedparser.util.FeedParserDict
    copy_params = feed_speed._flat_copy(cls)
    flat = cls({"type": "text/html", "language": None, "base": "https://e.org/", "base64": False})
    got = copy_params(flat)
    assert got == copy.deepcopy(flat) and type(got) is cls and got is not flat
    nested = cls({"type": "text/html", "value": ["a", "b"]})
    got = copy_params(nested)
    assert got == nested and got["value"] is not nested["value"]  # a real deep copy


def test_cp1252_code_points_still_mapped_in_content() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>t</title><entry><id>x</id><title>a&#150;b</title>"
        b'<content type="html">&lt;p&gt;it&#146;s &#128;5&lt;/p&gt;</content></entry></feed>'
    )
    fast, stock = _parse_both(body)
    assert fast.entries == stock.entries  # type: ignore[attr-defined]
    assert fast.entries[0].content[0].value == "<p>it\u2019s \u20ac5</p>"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "doc",
    [
        "<?xml version='1.0' encoding='latin-1'?>\n<rss/>",
        "<rss/>\n<?xml version='1.0'?>",  # a declaration later on is no declaration
        "  <?xml version='1.0'?><rss/>",
        "<?xml version='1.0'?><a/><?xml x?>",
        "",
    ],
)
def test_declaration_pattern_at_start_equals_feedparsers(doc: str) -> None:
    import feedparser.encodings

    fast = feedparser.encodings.RE_XML_DECLARATION
    assert isinstance(fast, feed_speed.AtStart)  # installed
    with feed_speed.disabled():
        stock = feedparser.encodings.RE_XML_DECLARATION
    new = "<?xml version='1.0' encoding='utf-8'?>"
    assert bool(fast.search(doc)) == bool(stock.search(doc))
    assert fast.sub(new, doc) == stock.sub(new, doc)


def test_latin1_document_is_reencoded_identically() -> None:
    body = "<?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel><item><title>Caf\xe9 \x93q\x94</title></item></channel></rss>".encode(
        "latin-1"
    )
    fast, stock = _parse_both(body)
    assert fast == stock and fast.entries[0].title == "Caf\xe9 \u201cq\u201d"
