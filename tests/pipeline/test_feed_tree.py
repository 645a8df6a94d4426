"""The tree replay must give parse_feed exactly what feedparser gives it, or stand aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pipeline import feed_speed
from bot.pipeline.feed_tree import parse_tree
from bot.pipeline.feeds import FeedParseError, parse_feed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FEED_FILES = sorted((FIXTURES / "feeds").glob("*.*")) + sorted(
    (FIXTURES / "demo" / "feeds").glob("*")
)
URL = "http://example.org/blog/feed.xml"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
 xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd">
<channel>{channel}{items}</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:gd="http://schemas.google.com/g/2005"
 xmlns:media="http://search.yahoo.com/mrss/">{channel}{items}</feed>"""


def _parse(body: bytes, url: str, content_type: str) -> object:
    try:
        return parse_feed(body, url=url, content_type=content_type)
    except FeedParseError as exc:
        return ("error", exc.reason)


def assert_same(body: bytes, url: str = URL, content_type: str = "application/xml") -> bool:
    """Both roads give the same ParsedFeed; returns whether the tree replay answered."""
    answered = parse_tree(body, {"content-location": url, "content-type": content_type})
    fast = _parse(body, url, content_type)
    with feed_speed.disabled():
        stock = _parse(body, url, content_type)
    assert fast == stock
    return answered is not None


def rss(items: str, channel: str = "<title>Feed</title><link>http://example.org/</link>") -> bytes:
    return RSS.format(channel=channel, items=items).encode()


def atom(entries: str, channel: str = "<title>Feed</title><id>urn:feed</id>") -> bytes:
    return ATOM.format(channel=channel, items=entries).encode()


@pytest.mark.parametrize("path", FEED_FILES, ids=lambda p: p.name)
def test_committed_feeds_parse_the_same_on_both_roads(path: Path) -> None:
    assert_same(path.read_bytes())
    assert_same(path.read_bytes(), url="", content_type="")


def test_real_rss_and_atom_feeds_take_the_tree_road() -> None:
    names = {"rss2.xml", "atom.xml", "rest-of-world.xml", "stratechery.xml", "willpatrick.atom"}
    taken = {p.name for p in FEED_FILES if p.name in names and assert_same(p.read_bytes())}
    assert taken == names


RSS_ITEMS = {
    "two titles: the first non-empty wins": "<item><title></title><title>B</title><title>C</title></item>",
    "media:title before the title, then alone": (
        "<item><media:group><media:title>M</media:title></media:group><title>T</title></item>"
        "<item><media:content url='x.jpg'><media:title>Only media</media:title></media:content></item>"
    ),
    "a second description becomes content": (
        "<item><title>x</title><description>one</description><description>two &amp; more"
        "</description></item>"
    ),
    "itunes:summary, then description, then content:encoded": (
        "<item><itunes:summary>S</itunes:summary><description>D</description>"
        "<content:encoded><![CDATA[<p>C</p>]]></content:encoded></item>"
    ),
    "content:encoded before the description": (
        "<item><content:encoded><![CDATA[<p>body</p><p>two</p>]]></content:encoded>"
        "<description>short</description></item>"
    ),
    "permalink guid, relative link and guid": (
        "<item><guid>posts/1</guid></item><item><guid isPermaLink='false'>tag:x,1</guid>"
        "<link>../p/2?a=1&amp;amp;b=2</link></item><item><link>http://o.example/3</link>"
        "<guid>http://o.example/3#g</guid></item>"
    ),
    "authors": (
        "<item><author>jo@example.org (Jo Smith)</author></item><item><dc:creator>A</dc:creator>"
        "<dc:creator>B</dc:creator></item><item><itunes:author>Pod</itunes:author></item>"
    ),
    "dates": (
        "<item><pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate><dc:date>2025-06-11T01:02:03Z"
        "</dc:date></item><item><pubDate>not a date</pubDate></item><item><atom:updated>"
        "2024-02-29T23:59:59+05:30</atom:updated></item>"
    ),
    "mojibake, cp1252 and entities": (
        "<item><title>CafÃ© au lait</title></item><item><title>na&#239;ve</title></item><item><title>&#150; &#128; \u201cq\u201d</title>"
        "<description>a &lt;b&gt;bold&lt;/b&gt; &amp;amp; c</description></item>"
    ),
    "atom links inside items, enclosures, source": (
        "<item><atom:link rel='self' href='/self'/><enclosure url='a.mp3' type='audio/mpeg'/>"
        "<link>http://example.org/x</link><source url='http://s.example/'>Src</source>"
        "<title>after source</title></item><item><atom:link href='rel/alt' rel='alternate'/></item>"
    ),
    "xml:base on an item": "<item xml:base='http://other.example/dir/'><link>a.html</link></item>",
}


@pytest.mark.parametrize("items", RSS_ITEMS.values(), ids=RSS_ITEMS.keys())
def test_rss_quirks_match_feedparser(items: str) -> None:
    assert assert_same(rss(items))


def test_channel_image_and_title_order() -> None:
    channel = (
        "<image><title>Logo</title><url>l.png</url><link>/</link></image><title>Late title</title>"
        "<textInput><title>Search</title><name>q</name><link>/s</link></textInput>"
    )
    assert assert_same(rss("<item><title>x</title></item>", channel=channel))
    assert assert_same(rss("", channel="<title>A</title><title>B</title><link>rel/</link>"), url="")


ATOM_ENTRIES = {
    "content then summary, summary then content": (
        "<entry><id>urn:1</id><content type='html'>&lt;p&gt;C&lt;/p&gt;</content><summary>S</summary>"
        "</entry><entry><id>urn:2</id><summary type='text'>S2</summary><content>C2</content></entry>"
    ),
    "links and ids": (
        "<entry><id>tag:example.org,2025:1</id><link href='/a' rel='alternate' type='text/html'/>"
        "<link href='/b' rel='replies' type='application/atom+xml'/></entry><entry><link href='c'/>"
        "<id>relative-id</id></entry>"
    ),
    "authors with Blogger's gd:image": (
        "<entry><author><name>N</name><uri>http://n.example/</uri><email>n@example.org</email>"
        "<gd:image rel='x' src='i.png'/></author><author><name>Second</name></author></entry>"
    ),
    "published, updated and xml:base": (
        "<entry xml:base='/sub/'><published>2025-01-02T03:04:05Z</published><updated>2025-01-03"
        "</updated><link href='p.html'/><content type='html' xml:base='http://c.example/'>x</content>"
        "</entry>"
    ),
    "media:description in a group": (
        "<entry><media:group><media:title>V</media:title><media:description>About"
        "</media:description></media:group></entry>"
    ),
}


@pytest.mark.parametrize("entries", ATOM_ENTRIES.values(), ids=ATOM_ENTRIES.keys())
def test_atom_quirks_match_feedparser(entries: str) -> None:
    assert assert_same(atom(entries))


def test_namespace_prefixes_are_read_as_feedparser_reads_them() -> None:
    # Atom under another prefix inside RSS, and "media" bound to a non-standard URI
    body = (
        b'<rss version="2.0" xmlns:a10="http://www.w3.org/2005/Atom" '
        b'xmlns:media="http://www.rssboard.org/media-rss"><channel><title>t</title>'
        b"<item><a10:link href='http://example.org/x'/><media:title>m</media:title></item>"
        # a prefixed attribute keeps its prefix, so it does not stand for the plain one
        b"<item xmlns:foo='urn:x'><a10:link href='http://right.example/' foo:href='http://wrong/'/>"
        b"</item>"
        b"</channel></rss>"
    )
    assert assert_same(body)


UNSUPPORTED = {
    "xhtml content": atom("<entry><content type='xhtml'><div>x<b>y</b></div></content></entry>"),
    "markup in a title": rss("<item><title>a <b>b</b></title></item>"),
    "doctype": b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "x.dtd"><rss version="2.0"><channel>'
    b"<title>t</title></channel></rss>",
    "rss 0.91": b'<rss version="0.91"><channel><title>t</title></channel></rss>',
    "base64 content": atom("<entry><content type='image/png'>aGVsbG8=</content></entry>"),
}


@pytest.mark.parametrize("body", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_what_the_replay_is_not_sure_of_goes_to_feedparser(body: bytes) -> None:
    assert not assert_same(body)


def test_a_malformed_feed_goes_straight_to_feedparsers_loose_parser() -> None:
    # an HTML entity XML does not define: the commonest way a real feed is not well-formed
    body = rss(
        "<item><title>x&nbsp;y</title></item><item><title>second</title><link>/2</link></item>"
    )
    assert assert_same(body)
    parsed = parse_feed(body, url=URL, content_type="application/xml")
    assert parsed.warning == "SAXParseException"
    assert [e.url for e in parsed.entries][-1] == "http://example.org/2"


def test_a_content_type_complaint_is_kept_as_feedparser_keeps_it() -> None:
    body = rss("<item><title>x</title></item>")
    for content_type in ("text/html", ""):
        assert assert_same(body, content_type=content_type)
        assert parse_feed(body, url=URL, content_type=content_type).warning == "NonXMLContentType"
