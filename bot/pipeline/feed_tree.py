"""A faster road to feedparser's answer for well-formed RSS 2.0 and Atom 1.0 feeds.

feedparser spends about 100 us of Python per XML element; on the 100 real feeds of the crawl
benchmark that was most of a first crawl's CPU. Here expat, set up as feedparser's strict parser sets
it (namespaces and qualified attribute names on, text coalesced), calls four light handlers that
replay feedparser 6.0's own element handlers for only what :func:`bot.pipeline.feeds.parse_feed`
reads: each entry's ``link``, ``links``, ``id``, ``title``, ``content``, ``summary``, ``author``,
``published_parsed`` and ``updated_parsed``, the feed's ``title`` and ``link``, and ``version``.
The replay follows feedparser's rules to the letter, quirks included (the first non-empty title
wins, a second description becomes content, a permalink GUID is the link when there is none,
relative links and ``xml:base`` resolve as feedparser resolves them, the UTF-8 mojibake and cp1252
fix-ups), calling feedparser's own helpers for encodings, dates and URLs.

It answers only when it is sure to agree: :func:`parse_tree` returns ``None`` (the caller then
runs feedparser) for anything else: no usable encoding, a DOCTYPE, RDF and older formats, XHTML or
base64 content, markup nested in a text element, image or text-input blocks inside an entry, and
every element feedparser has a handler for that is not replayed here (GeoRSS, Podlove chapters...). A feed that is not well-formed
goes straight to feedparser's loose parser, as feedparser sends it after its strict parser fails
there too (the strict attempt's work is thrown away by feedparser itself). ``scripts/robustness_feeds.py``
and ``tests/pipeline/test_feed_tree.py`` compare both roads on every feed they read.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import xml.sax
import xml.sax.xmlreader
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

import feedparser
import feedparser.api
import feedparser.datetimes
import feedparser.encodings
import feedparser.html
import feedparser.mixin
import feedparser.sanitizer
import feedparser.urls
from feedparser.util import FeedParserDict

from bot.pipeline import feed_speed

log = logging.getLogger(__name__)
_MIXIN = feedparser.mixin._FeedParserMixin
_MATCH = {k.lower(): v for k, v in _MIXIN.namespaces.items()}
_RELATIVE = _MIXIN.can_be_relative_uri
_HTML_TYPES = _MIXIN.html_types
# every element name feedparser has a handler for (a name missing from the replay falls back)
_HANDLED = {n[7:] for n in dir(_MIXIN) if n.startswith("_start_")} | {
    n[5:] for n in dir(_MIXIN) if n.startswith("_end_")
}
# handlers that touch none of the keys read here nor any state the replay keeps
_INERT = {
    "category", "keywords", "dc_subject", "media_category", "itunes_category", "tags",
    "itunes_keywords", "media_keywords", "media_content", "media_thumbnail", "media_group",
    "media_rating", "media_credit", "media_restriction", "media_license", "media_player", "cloud",
    "generator", "language", "dc_language", "rights", "copyright", "dc_rights", "subtitle",
    "tagline", "itunes_subtitle", "info", "feedburner_browserfriendly", "created",
    "dcterms_created", "expirationdate", "dcterms_valid", "newlocation", "width", "height",
    "webmaster", "dc_publisher", "itunes_image", "itunes_link", "itunes_block", "itunes_explicit",
}  # fmt: skip
# element names that, unhandled, feedparser would store under a key read here
_READ_KEYS = {"link", "links", "id", "guid", "title", "content", "summary", "author",
              "published_parsed", "updated_parsed"}  # fmt: skip
_AMP_REF = re.compile("&([A-Za-z0-9_]+);")
_CP1252 = feedparser.html._cp1252
_has_cp1252_code = feed_speed.mapped_search(_CP1252)
# the parts of an author that are replayed
_PERSON = {"name", "itunes_name", "email", "itunes_email", "url", "uri", "homepage"}
# inert handlers that collect text as content: markup inside them would be XHTML to feedparser
_INERT_TEXT = {"rights", "copyright", "dc_rights", "subtitle", "tagline", "itunes_subtitle",
               "info", "feedburner_browserfriendly"}  # fmt: skip
_FIRST_TAG = re.compile(rb"<\w")  # as replace_doctype finds the end of the prolog
# the handlers replayed here are feedparser 6.0's: any other release parses on its own
_SAME_FEEDPARSER = feedparser.__version__.startswith("6.0.")


class Unsupported(Exception):
    """This feed takes feedparser's own road."""


def parse_tree(body: bytes, headers: dict[str, str]) -> FeedParserDict | None:
    """feedparser's result for what parse_feed reads, or None when feedparser must answer."""
    if not _SAME_FEEDPARSER:
        return None
    try:
        return _Replay(headers.get("content-location", "")).run(body, headers)
    except Unsupported:
        return None
    except Exception as exc:  # noqa: BLE001 - a replay bug must not cost a feed feedparser reads
        log.warning(
            "feed tree replay failed (%s: %s); feedparser parses this feed", type(exc).__name__, exc
        )
        return None


class _Replay:
    """feedparser 6.0's element handlers for RSS 2.0 and Atom 1.0, driven by expat's events."""

    def __init__(self, content_location: str) -> None:
        self.feed: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []
        self.depth_map: dict[int, dict[str, int]] = {}
        self.stack: list[tuple[str, bool]] = []  # feedparser's: (name, expecting text)
        self.open: list[tuple[str, _End, list[str]]] = []  # open elements: name, end, text
        self.names: dict[str, str] = {}  # expat tag -> feedparser name, until a new declaration
        self.version = ""
        self.depth = 0
        self.title_depth = -1
        self.infeed = self.inentry = self.incontent = self.insource = 0
        self.inimage = self.intextinput = self.inauthor = self.inpublisher = 0
        self.has_content = 0
        self.guidislink = False
        self.summary_key: str | None = None
        self.content_type = ""
        self.namespacemap: dict[str | None, str] = {}  # document prefix -> feedparser's prefix
        self.in_use: dict[str, str] = {}  # feedparser's namespaces_in_use
        self.base = content_location
        self.bases: list[str] = []  # feedparser's basestack
        self.text = ""  # the text of the element being closed

    # ------------------------------------------------------------ the document

    def run(self, body: bytes, headers: dict[str, str]) -> FeedParserDict:
        first = _FIRST_TAG.search(body)
        prolog = body[: first.start()] if first else body
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            raise Unsupported("doctype or entities")
        result = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), headers={})
        data = feedparser.encodings.convert_to_utf8(dict(headers), body, result)
        if not result.get("encoding"):
            raise Unsupported("encoding")  # feedparser's loose parser reads it
        # a charset or Content-Type complaint (bozo) stays in the result, as feedparser keeps it
        doc_version, data, entities = feedparser.sanitizer.replace_doctype(data)
        if doc_version or entities:
            raise Unsupported("doctype")
        # the expat setup of feedparser's strict parser: namespaces on, text coalesced
        parser = expat.ParserCreate(None, " ")
        parser.namespace_prefixes = True  # as xml.sax's expat reader sets it
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.StartNamespaceDeclHandler = self.start_namespace
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            return _read_loose(data, headers, result, exc)
        if self.version not in ("rss20", "atom10"):
            raise Unsupported(self.version or "unknown format")
        result["feed"] = FeedParserDict(self.feed)
        result["entries"] = self.entries
        result["version"] = self.version
        return result

    def start_namespace(self, prefix: str | None, uri: str | None) -> None:
        """feedparser's startPrefixMapping and track_namespace."""
        if not uri:
            return
        self.names.clear()
        lower = uri.lower()
        if not self.version:
            if (prefix, lower) == (None, "http://my.netscape.com/rdf/simple/0.9/"):
                self.version = "rss090"
            elif lower == "http://purl.org/rss/1.0/":
                self.version = "rss10"
            elif lower == "http://www.w3.org/2005/atom":
                self.version = "atom10"
        if "backend.userland.com/rss" in lower:
            uri = lower = "http://backend.userland.com/rss"
        if lower in _MATCH:
            self.namespacemap[prefix or None] = _MATCH[lower]
            self.in_use[_MATCH[lower]] = uri
        else:
            self.in_use[prefix or ""] = uri

    def characters(self, text: str) -> None:
        if self.open:
            self.open[-1][2].append(text)

    # ------------------------------------------------------------ names and attributes

    def name_of(self, tag: str) -> str:
        """The name feedparser dispatches on: ``dc_creator``, ``link``, ``media_title``."""
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = self._name_of(tag)
        return name

    def _name_of(self, tag: str) -> str:
        parts = tag.split()  # "uri local prefix", "uri local" or "local"
        if len(parts) in (2, 3):
            uri, local = parts[0], parts[1]
            lower = uri.lower()
            if "backend.userland.com/rss" in lower:
                uri = lower = "http://backend.userland.com/rss"
            prefix = _MATCH.get(lower)
            name = local
            if prefix:
                name = prefix.lower() + ":" + local
            elif prefix is None:  # expat gives no qname: feedparser looks the URI up
                for key, value in self.in_use.items():
                    if key and value == uri:
                        name = key + ":" + local
                        break
        elif len(parts) == 1:
            name = tag
        else:
            raise Unsupported("a space in a namespace")
        name = name.lower()
        if ":" not in name:
            return name
        prefix, suffix = name.split(":", 1)
        prefix = self.namespacemap.get(prefix, prefix)
        return prefix + "_" + suffix if prefix else suffix

    @staticmethod
    def attrs_of(attrib: dict[str, str]) -> dict[str, str]:
        """feedparser's attribute dict: lower-case names, ``rel`` and ``type`` values too."""
        if not attrib:
            return {}
        out: dict[str, str] = {}
        qnames = []
        for key, value in attrib.items():
            parts = key.split()  # "uri local prefix", "uri local" or "local"
            qname = key
            if len(parts) > 1:
                prefix = _MATCH.get(parts[0].lower(), "")
                qname = parts[2] + ":" + parts[1] if len(parts) == 3 else parts[1]
                key = prefix + ":" + parts[1] if prefix else parts[1]
            qnames.append((qname, value))
            out[key.lower()] = value
        for qname, value in qnames:  # then the qualified names, as the SAX reader reports them
            out[qname.lower()] = value
        for key in ("rel", "type"):
            if key in out:
                out[key] = out[key].lower()
        return out

    # ------------------------------------------------------------ the elements

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """feedparser's unknown_starttag, for the elements replayed here."""
        if self.incontent:
            raise Unsupported("markup inside a text element")
        name = self.name_of(tag)
        attrs = self.attrs_of(attrib)
        if self.open:
            parent = self.open[-1][0]
            allowed = _CHILDREN.get(parent)
            # in an author, an element feedparser files under its own name and that holds no
            # text (Blogger's gd:image) changes nothing read here
            harmless = parent in _AUTHORS and name not in _HANDLED and attrs
            if allowed is not None and name not in allowed and not harmless:
                raise Unsupported(f"markup inside {parent}")
        elif name not in ("rss", "feed"):
            raise Unsupported("not RSS or Atom")
        given = attrs.get("xml:base", attrs.get("base")) if attrs else None
        self.base = _next_base(self.base, given or self.base)
        self.bases.append(self.base)
        self.depth += 1
        if "_" not in name:  # feedparser's unprefixed-tag rule for image and text-input blocks
            if name not in ("title", "link", "description", "name"):
                self.intextinput = 0
            if name not in ("title", "link", "description", "url", "href", "width", "height"):
                self.inimage = 0
        handler = _HANDLERS.get(name)
        end: _End = None
        if handler is not None:
            begin, end = handler
            if begin is not None:
                begin(self, attrs)
        elif name in _READ_KEYS or (name in _HANDLED and name not in _INERT):
            raise Unsupported(f"element {name}")
        self.open.append((name, end, []))

    def end(self, tag: str) -> None:
        """feedparser's unknown_endtag."""
        name, end, parts = self.open.pop()
        if end is not None:
            self.text = "".join(parts)
            end(self)
        elif parts and self.open and self.open[-1][0] in _AUTHORS:
            raise Unsupported(f"text in {name} inside an author")  # it would join the author's
        self.bases.pop()
        if self.bases and self.bases[-1]:
            self.base = self.bases[-1]
        self.depth -= 1

    # ------------------------------------------------------------ feedparser's machinery

    def context(self) -> dict[str, Any]:
        """feedparser's _get_context (a source's own data is nothing read here)."""
        if self.insource:
            return {}
        if self.inimage and "image" in self.feed:
            return self.feed["image"]  # type: ignore[no-any-return]
        if self.intextinput:
            return self.feed.setdefault("textinput", {})  # type: ignore[no-any-return]
        if self.inentry:
            return self.entries[-1]
        return self.feed

    def push(self, element: str, expecting_text: Any) -> None:
        self.stack.append((element, bool(expecting_text)))

    def push_content(self, tag: str, attrs: dict[str, str], default: str, expecting: Any) -> None:
        if "mode" in attrs:
            raise Unsupported("content mode")
        kind = _MIXIN.map_content_type(attrs.get("type", default))
        if kind == "application/xhtml+xml" or not (
            kind.startswith("text/") or kind.endswith(("+xml", "/xml"))
        ):
            raise Unsupported(f"content type {kind}")  # XHTML or base64 content
        self.incontent += 1
        self.content_type = kind
        self.push(tag, expecting)

    def pop_content(self, tag: str) -> str | None:
        value = self.pop(tag)
        self.incontent -= 1
        self.content_type = ""
        return value

    def pop(self, element: str) -> str | None:
        """feedparser's pop, for an element whose text is ``self.text``."""
        if not self.stack or self.stack[-1][0] != element:
            return None
        expecting = self.stack.pop()[1]
        output = self.text.strip()
        if not expecting:
            return output
        if element in _RELATIVE and output and (element != "id" or self.guidislink):
            output = feedparser.urls._urljoin(self.base or "", output)
        if not output.isascii():  # both fix-ups leave ASCII text as it is
            with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
                output = output.encode("iso-8859-1").decode("utf-8")  # feedparser's mojibake fix
            if _has_cp1252_code(output):
                output = output.translate(_CP1252)
        if element in ("category", "tags", "itunes_keywords"):
            return output
        if element == "title" and -1 < self.title_depth <= self.depth:
            return output
        if self.inentry and not self.insource:
            entry = self.entries[-1]
            if element == "content":
                entry.setdefault("content", []).append({"value": output})
            elif element == "link":
                if not self.inimage:
                    output = _AMP_REF.sub(r"&\g<1>", output.replace("&amp;", "&"))
                    entry["link"] = output
                    if output:
                        entry["links"][-1]["href"] = output
            else:
                if element == "description":
                    element = "summary"
                depths = self.depth_map.setdefault(id(entry), {})
                old = depths.get(element)
                if old is None or self.depth <= old:
                    depths[element] = self.depth
                    entry[element] = output
        elif self.infeed or self.insource:
            context = self.context()
            if element == "description":
                element = "subtitle"
            context[element] = output
            if element == "link":
                output = _AMP_REF.sub(r"&\g<1>", output)
                context[element] = output
                context["links"][-1]["href"] = output
        return output

    def save(self, key: str, value: Any, overwrite: bool = False) -> None:
        context = self.context()
        if overwrite:
            context[key] = value
        else:
            context.setdefault(key, value)


def _read_loose(
    data: bytes, headers: dict[str, str], result: FeedParserDict, error: expat.ExpatError
) -> FeedParserDict:
    """What feedparser.parse does once its strict parser fails (the same expat fails here).

    feedparser would first run its handlers up to the error, then throw that work away; this
    goes straight to its loose parser, with the same bozo exception type.
    """
    location = headers.get("content-location", "")
    base = feedparser.urls.make_safe_absolute_uri("", location) or location
    loose = feedparser.api.LooseFeedParser(base, headers.get("content-language"), "utf-8", {})
    loose.resolve_relative_uris = False  # parse_feed's settings
    loose.sanitize_html = False
    loose.feed(data.decode("utf-8", "replace"))
    result["bozo"] = 1
    result["bozo_exception"] = xml.sax.SAXParseException(
        expat.ErrorString(error.code), error, _ErrorPlace(error)
    )
    result["feed"] = loose.feeddata
    result["entries"] = loose.entries
    result["version"] = loose.version
    result["namespaces"] = loose.namespaces_in_use
    return result


class _ErrorPlace(xml.sax.xmlreader.Locator):
    """The SAX locator of an expat error (line and column; no ids for an in-memory body)."""

    def __init__(self, error: expat.ExpatError) -> None:
        self.error = error

    def getLineNumber(self) -> int:  # noqa: N802 - the SAX Locator interface
        return int(self.error.lineno)

    def getColumnNumber(self) -> int:  # noqa: N802
        return int(self.error.offset)

    def getPublicId(self) -> None:  # noqa: N802
        return None

    def getSystemId(self) -> None:  # noqa: N802
        return None


@functools.lru_cache(maxsize=1024)  # a pure function of two strings, asked once per element
def _next_base(base: str, given: str) -> str:
    """feedparser's base URI for an element: its xml:base (or the current base) against the current."""
    if base:
        return feedparser.urls.make_safe_absolute_uri(base, given) or base
    return feedparser.urls._urljoin(base, given)


# ---------------------------------------------------------------- the replayed handlers
_Start = Callable[[_Replay, dict[str, str]], None] | None
_End = Callable[[_Replay], None] | None
# Each mirrors the feedparser 6.0 method of the same name (feedparser/namespaces/_base.py and the
# dc, itunes and mediarss modules), limited to what reaches the keys read here.


def _start_rss(r: _Replay, attrs: dict[str, str]) -> None:
    versions = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
    if not r.version or not r.version.startswith("rss"):
        given = attrs.get("version", "")
        r.version = versions.get(given) or ("rss20" if given.startswith("2.") else "rss")


def _start_feed(r: _Replay, attrs: dict[str, str]) -> None:
    r.infeed = 1
    if not r.version:
        r.version = {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03"}.get(
            attrs.get("version", ""), "atom"
        )


def _start_channel(r: _Replay, attrs: dict[str, str]) -> None:
    r.infeed = 1
    _no_cdf(attrs)


def _end_channel(r: _Replay) -> None:
    r.infeed = 0


def _no_cdf(attrs: dict[str, str]) -> None:
    if "lastmod" in attrs or "href" in attrs or "rdf:about" in attrs:
        raise Unsupported("CDF or RDF attributes")


def _start_item(r: _Replay, attrs: dict[str, str]) -> None:
    if r.inentry:
        raise Unsupported("nested entry")
    r.entries.append({})
    r.push("item", False)
    r.inentry = 1
    r.guidislink = False
    r.title_depth = -1
    _no_cdf(attrs)


def _end_item(r: _Replay) -> None:
    r.pop("item")
    r.inentry = 0
    r.has_content = 0


def _feed_block(key: str, flag: str) -> tuple[_Start, _End]:
    """feedparser's _start_image / _start_textinput and their ends (the feed's own blocks)."""

    def start(r: _Replay, attrs: dict[str, str]) -> None:
        if r.inentry:
            raise Unsupported(f"{key} inside an entry")
        r.feed.setdefault(key, {})
        setattr(r, flag, 1)
        r.title_depth = -1
        r.push(key, False)

    def end(r: _Replay) -> None:
        r.pop(key)
        setattr(r, flag, 0)

    return start, end


def _start_source(r: _Replay, attrs: dict[str, str]) -> None:
    r.push("source", True)
    r.insource = 1
    r.title_depth = -1


def _end_source(r: _Replay) -> None:
    r.insource = 0
    r.pop("source")  # stored under "source", which nothing here reads


def _start_title(r: _Replay, attrs: dict[str, str]) -> None:
    r.push_content("title", attrs, "text/plain", r.infeed or r.inentry or r.insource)


def _end_title(r: _Replay) -> None:
    value = r.pop_content("title")
    if value:
        r.title_depth = r.depth


def _end_media_title(r: _Replay) -> None:
    kept = r.title_depth
    _end_title(r)
    r.title_depth = kept


def _start_link(r: _Replay, attrs: dict[str, str]) -> None:
    attrs.setdefault("rel", "alternate")
    attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
    context = r.context()
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    if "href" in attrs:
        attrs["href"] = feedparser.urls._urljoin(r.base or "", attrs["href"])
    context.setdefault("links", [])
    if not (r.inentry and r.inimage):
        context["links"].append({"rel": attrs.get("rel"), "href": attrs.get("href")})
    if "href" in attrs:
        if (
            attrs.get("rel") == "alternate"
            and _MIXIN.map_content_type(attrs.get("type", "")) in _HTML_TYPES
        ):
            context["link"] = attrs["href"]
    else:
        r.push("link", bool(r.infeed or r.inentry or r.insource))


def _end_link(r: _Replay) -> None:
    r.pop("link")


def _start_enclosure(r: _Replay, attrs: dict[str, str]) -> None:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    r.context().setdefault("links", []).append({"rel": "enclosure", "href": href})


def _start_guid(r: _Replay, attrs: dict[str, str]) -> None:
    r.guidislink = attrs.get("ispermalink", "true") == "true"
    r.push("id", True)


def _end_guid(r: _Replay) -> None:
    value = r.pop("id")
    r.save("guidislink", r.guidislink and "link" not in r.context())
    if r.guidislink:
        r.save("link", value)


def _start_description(r: _Replay, attrs: dict[str, str]) -> None:
    if "summary" in r.context() and not r.has_content:
        r.summary_key = "content"
        _start_content(r, attrs)
    else:
        r.push_content("description", attrs, "text/html", r.infeed or r.inentry or r.insource)


def _start_abstract(r: _Replay, attrs: dict[str, str]) -> None:
    r.push_content("description", attrs, "text/plain", r.infeed or r.inentry or r.insource)


def _end_summary_or(tag: str) -> _End:
    """feedparser's _end_description / _end_summary: a second one was pushed as content."""

    def end(r: _Replay) -> None:
        if r.summary_key == "content":
            _end_content(r)
        else:
            r.pop_content(tag)
        r.summary_key = None

    return end


_end_description = _end_summary_or("description")
_end_summary = _end_summary_or("summary")  # feedparser's _summaryKey is "summary" here


def _start_summary(r: _Replay, attrs: dict[str, str]) -> None:
    if "summary" in r.context() and not r.has_content:
        r.summary_key = "content"
        _start_content(r, attrs)
    else:
        r.summary_key = "summary"
        r.push_content("summary", attrs, "text/plain", True)


def _start_content(r: _Replay, attrs: dict[str, str]) -> None:
    r.has_content = 1
    r.push_content("content", attrs, "text/plain", True)
    r.push("content", True)  # feedparser pushes twice here; the extra entry stays on its stack


def _start_content_encoded(r: _Replay, attrs: dict[str, str]) -> None:
    r.has_content = 1
    r.push_content("content", attrs, "text/html", True)


def _end_content(r: _Replay) -> None:
    copy_to_summary = r.content_type in ({"text/plain"} | _HTML_TYPES)
    value = r.pop_content("content")
    if copy_to_summary:
        r.save("summary", value)


def _start_author(r: _Replay, attrs: dict[str, str]) -> None:
    r.inauthor = 1
    r.push("author", True)
    r.context().setdefault("authors", []).append({})


def _end_author(r: _Replay) -> None:
    r.pop("author")
    r.inauthor = 0
    _sync_author(r)


def _sync_author(r: _Replay) -> None:
    """feedparser's _sync_author_detail, for the ``author`` key only."""
    context = r.context()
    detail = context.get("authors", [{}])[-1]
    if detail:
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            context["author"] = f"{name} ({email})"
        elif name:
            context["author"] = name
        elif email:
            context["author"] = email


def _save_author(r: _Replay, key: str, value: Any) -> None:
    _sync_author(r)  # feedparser syncs before it records the value
    context = r.context()
    context.setdefault("authors", [{}])[-1][key] = value


def _start_contributor(r: _Replay, attrs: dict[str, str]) -> None:
    r.push("contributor", False)  # its name and e-mail go to the contributors: nothing read here


def _end_contributor(r: _Replay) -> None:
    r.pop("contributor")


def _start_itunes_owner(r: _Replay, attrs: dict[str, str]) -> None:
    if r.inentry:
        raise Unsupported("itunes:owner inside an entry")  # its name would join the authors
    r.inpublisher = 1
    r.push("publisher", False)


def _end_itunes_owner(r: _Replay) -> None:
    r.pop("publisher")
    r.inpublisher = 0


def _person_part(key: str, pushed: str) -> tuple[Callable[..., None], Callable[[_Replay], None]]:
    def start(r: _Replay, attrs: dict[str, str]) -> None:
        r.push(pushed, pushed == "href")

    def end(r: _Replay) -> None:
        value = r.pop(pushed)
        if r.inpublisher and key != "href":
            return  # the feed's publisher (itunes:owner): nothing read here
        if r.inauthor:
            _save_author(r, key, value)

    return start, end


def _start_published(r: _Replay, attrs: dict[str, str]) -> None:
    r.push("published", True)


def _end_published(r: _Replay) -> None:
    value = r.pop("published")
    r.save("published_parsed", feedparser.datetimes._parse_date(value), overwrite=True)


def _start_updated(r: _Replay, attrs: dict[str, str]) -> None:
    r.push("updated", True)


def _end_updated(r: _Replay) -> None:
    value = r.pop("updated")
    r.save("updated_parsed", feedparser.datetimes._parse_date(value), overwrite=True)


_HANDLERS: dict[str, tuple[_Start, _End]] = {
    "rss": (_start_rss, None),
    "feed": (_start_feed, _end_channel),
    "channel": (_start_channel, _end_channel),
    "item": (_start_item, _end_item),
    "entry": (_start_item, _end_item),
    "image": _feed_block("image", "inimage"),
    "textinput": _feed_block("textinput", "intextinput"),
    "source": (_start_source, _end_source),
    "title": (_start_title, _end_title),
    "dc_title": (_start_title, _end_title),
    "media_title": (_start_title, _end_media_title),
    "link": (_start_link, _end_link),
    "enclosure": (_start_enclosure, None),
    "guid": (_start_guid, _end_guid),
    "id": (_start_guid, _end_guid),
    "description": (_start_description, _end_description),
    "dc_description": (_start_description, _end_description),
    "media_description": (_start_description, _end_description),
    "abstract": (_start_abstract, _end_description),
    "summary": (_start_summary, _end_summary),
    "itunes_summary": (_start_summary, _end_summary),
    "content": (_start_content, _end_content),
    "content_encoded": (_start_content_encoded, _end_content),
    "fullitem": (_start_content_encoded, _end_content),
    "author": (_start_author, _end_author),
    "managingeditor": (_start_author, _end_author),
    "dc_author": (_start_author, _end_author),
    "dc_creator": (_start_author, _end_author),
    "itunes_author": (_start_author, _end_author),
    "contributor": (_start_contributor, _end_contributor),
    "itunes_owner": (_start_itunes_owner, _end_itunes_owner),
    "name": _person_part("name", "name"),
    "itunes_name": _person_part("name", "name"),
    "email": _person_part("email", "email"),
    "itunes_email": _person_part("email", "email"),
    "url": _person_part("href", "href"),
    "uri": _person_part("href", "href"),
    "homepage": _person_part("href", "href"),
    "published": (_start_published, _end_published),
    "issued": (_start_published, _end_published),
    "pubdate": (_start_published, _end_published),
    "dcterms_issued": (_start_published, _end_published),
    "updated": (_start_updated, _end_updated),
    "modified": (_start_updated, _end_updated),
    "lastbuilddate": (_start_updated, _end_updated),
    "dc_date": (_start_updated, _end_updated),
    "dcterms_modified": (_start_updated, _end_updated),
}

_TEXT = {"title", "dc_title", "media_title", "link", "guid", "id", "description", "dc_description",
         "media_description", "abstract", "summary", "itunes_summary", "content", "content_encoded",
         "fullitem", "source", "published", "issued", "pubdate", "dcterms_issued", "updated",
         "modified", "lastbuilddate", "dc_date", "dcterms_modified", *_PERSON}  # fmt: skip
_AUTHORS = {"author", "managingeditor", "dc_author", "dc_creator", "itunes_author", "contributor"}
# which children a replayed element may have (absent: any)
_CHILDREN: dict[str, set[str]] = {name: set() for name in _TEXT}
_CHILDREN.update({name: _PERSON for name in _AUTHORS})
_CHILDREN.update({name: set() for name in _INERT_TEXT})
