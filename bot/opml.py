"""OPML 2.0 import and export of the feed list.

Export writes one ``<outline type="rss">`` per source (``xmlUrl``, ``htmlUrl`` from the
``site_url`` option, ``title``/``text``, ``category`` from the tags), grouped under its first
tag, plus ``briefing:*`` attributes (slug, kind, weight, interval, options) so that exporting
and importing again gives the same sources. Import reads any OPML feed list: nested outlines
become tags, slugs are generated from titles, feeds already present (same URL) are skipped.
Parsing goes through defusedxml: DTDs and entity declarations (billion laughs) are refused.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import SourcesError
from bot.sources import (
    KINDS,
    SourceSpec,
    format_duration,
    is_http_url,
    load_sources,
    parse_duration,
    parse_sources,
)
from bot.store.models import utcnow

NS = "https://github.com/briefing-bot/briefing/opml"
_B = f"{{{NS}}}"
MAX_OPML_BYTES = 10_000_000


@dataclass
class OpmlImport:
    """What an import found: new sources, and outlines skipped with a reason."""

    added: list[SourceSpec] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "added": [s.slug for s in self.added],
            "skipped": self.skipped,
        }


def export_opml(specs: Iterable[SourceSpec], title: str = "briefing sources") -> str:
    """The sources as an OPML 2.0 document (UTF-8 text)."""
    ET.register_namespace("briefing", NS)
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(utcnow())
    body = ET.SubElement(root, "body")
    groups: dict[str, ET.Element] = {}
    for spec in specs:
        parent = body
        if spec.tags:
            parent = groups.get(spec.tags[0]) or ET.SubElement(
                body, "outline", {"text": spec.tags[0], "title": spec.tags[0]}
            )
            groups[spec.tags[0]] = parent
        attrs = {"type": "rss", "text": spec.name, "title": spec.name, "xmlUrl": spec.url}
        options = dict(spec.options)
        if "site_url" in options:
            attrs["htmlUrl"] = options.pop("site_url")
        if spec.tags:
            attrs["category"] = ",".join("/" + t for t in spec.tags)
        attrs[_B + "slug"] = spec.slug
        attrs[_B + "kind"] = spec.kind
        attrs[_B + "weight"] = repr(spec.weight)
        if spec.interval_s is not None:
            attrs[_B + "interval"] = format_duration(spec.interval_s)
        if options:
            attrs[_B + "options"] = json.dumps(options, sort_keys=True)
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def slugify(text: str) -> str:
    """A slug from a title: ASCII, lower case, words joined by '-', at most 48 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:48].rstrip("-")


def _url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{(parts.hostname or '').lower()}{path}{query}"


def _unique_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[:44]}-{n}"
        n += 1
    taken.add(slug)
    return slug


def parse_opml(
    data: bytes | str, existing: Iterable[SourceSpec] = (), source: str = "OPML"
) -> OpmlImport:
    """Sources in an OPML document that are not in ``existing`` (compared by feed URL)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_OPML_BYTES:
        raise SourcesError(f"{source}: larger than {MAX_OPML_BYTES} bytes")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourcesError(f"{source}: refused unsafe XML ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise SourcesError(
            f"{source}: line {line}, column {col + 1}: not well-formed XML"
        ) from None
    if root.tag != "opml" or root.find("body") is None:
        raise SourcesError(f"{source}: not an OPML document (no <opml><body>)")
    existing = list(existing)
    taken = {s.slug for s in existing}
    seen_urls = {_url_key(s.url): s.slug for s in existing}
    result = OpmlImport()

    def walk(node: ET.Element, path: list[str]) -> None:
        for outline in node.findall("outline"):
            title = (outline.get("title") or outline.get("text") or "").strip()
            url = (outline.get("xmlUrl") or "").strip()
            if not url:
                group = slugify(title)
                walk(outline, path + [group] if group else path)
                continue
            label = title or url
            if not is_http_url(url):
                result.skipped.append({"title": label, "url": url, "reason": "not a URL"})
                continue
            key = _url_key(url)
            if key in seen_urls:
                result.skipped.append(
                    {"title": label, "url": url, "reason": f"already listed as {seen_urls[key]}"}
                )
                continue
            try:
                spec = _spec_from_outline(outline, title, url, path, taken)
            except ValueError as exc:
                result.skipped.append({"title": label, "url": url, "reason": str(exc)})
                continue
            seen_urls[key] = spec.slug
            result.added.append(spec)

    walk(root.find("body"), [])  # type: ignore[arg-type]
    return result


def _spec_from_outline(
    outline: ET.Element, title: str, url: str, path: list[str], taken: set[str]
) -> SourceSpec:
    categories = [
        c.strip().strip("/").split("/")[-1]
        for c in (outline.get("category") or "").split(",")
        if c.strip().strip("/")
    ]
    tags = list(dict.fromkeys(t for t in path + categories if t))
    wanted = (outline.get(_B + "slug") or "").strip()
    base = wanted if wanted and re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", wanted) else ""
    base = base or slugify(title) or slugify(urlsplit(url).hostname or "") or "feed"
    kind = outline.get(_B + "kind") or "auto"
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    try:
        weight = float(outline.get(_B + "weight") or 1.0)
        interval = outline.get(_B + "interval")
        interval_s = parse_duration(interval) if interval else None
        options: dict[str, Any] = json.loads(outline.get(_B + "options") or "{}")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"bad briefing attribute: {exc}") from None
    if not isinstance(options, dict):
        raise ValueError("bad briefing attribute: options must be a JSON object")
    html_url = (outline.get("htmlUrl") or "").strip()
    if html_url and is_http_url(html_url):
        options["site_url"] = html_url
    spec = SourceSpec(
        slug=_unique_slug(base, taken),
        name=title or (urlsplit(url).hostname or url),
        url=url,
        kind=kind,
        weight=weight,
        tags=tags,
        interval_s=interval_s,
        options=options,
    )
    # The same validation as sources.yaml, so a bad outline is skipped rather than written.
    try:
        parse_sources({"sources": [spec.to_entry()]})
    except SourcesError as exc:
        taken.discard(spec.slug)
        raise ValueError("; ".join(p.split(": ", 1)[-1] for p in exc.problems)) from None
    return spec


def read_opml_file(path: Path | str, existing: Iterable[SourceSpec] = ()) -> OpmlImport:
    """Parse an OPML file; SourcesError when it cannot be read or is not OPML."""
    path = Path(path)
    try:
        data = path.read_bytes() if str(path) != "-" else _read_stdin()
    except OSError as exc:
        raise SourcesError(f"cannot read OPML file {path}: {exc.strerror or exc}") from None
    return parse_opml(data, existing, source=str(path))


def _read_stdin() -> bytes:
    import sys

    return sys.stdin.buffer.read()


def write_sources_file(path: Path | str, new: list[SourceSpec], *, merge: bool) -> None:
    """Write ``new`` into a sources file: appended to the existing entries when ``merge``.

    Existing entries (and comments) are kept byte for byte when the file ends with its
    ``sources:`` list; otherwise the file is rewritten from its parsed content. The result is
    validated before it replaces the file.
    """
    path = Path(path)
    if path.exists() and not merge:
        raise SourcesError(
            f"{path} exists: use --merge to add the OPML's feeds to it, or --output NEW.yaml"
        )
    if not path.exists():
        if not new:
            raise SourcesError("the OPML lists no feeds to import; nothing written")
        text = "sources:\n" + _dump_entries(new)
        existing: list[SourceSpec] = []
    else:
        existing = load_sources(path)
        old = path.read_text(encoding="utf-8")
        if not new:
            return
        text = old if old.endswith("\n") else old + "\n"
        text += _dump_entries(new)
        try:
            # New entries take the file's defaults, so only the old entries and slugs must match.
            after = parse_sources(yaml.safe_load(text))
            appended_ok = [s.to_dict() for s in after[: len(existing)]] == [
                s.to_dict() for s in existing
            ] and [s.slug for s in after] == [s.slug for s in existing + new]
        except (SourcesError, yaml.YAMLError):
            appended_ok = False
        if not appended_ok:
            data = yaml.safe_load(old)
            data["sources"] = list(data["sources"]) + [s.to_entry() for s in new]
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200)
    parse_sources(yaml.safe_load(text))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _dump_entries(specs: list[SourceSpec]) -> str:
    if not specs:
        return ""
    dumped = yaml.safe_dump(
        [s.to_entry() for s in specs], sort_keys=False, allow_unicode=True, width=200
    )
    return "".join("  " + line if line.strip() else line for line in dumped.splitlines(True))


def import_opml(opml_path: Path | str, target: Path | str, *, merge: bool) -> OpmlImport:
    """Read an OPML file and write its new feeds into the sources file ``target``."""
    target = Path(target)
    if target.exists() and not merge:
        raise SourcesError(
            f"{target} exists: use --merge to add the OPML's feeds to it, or --output NEW.yaml"
        )
    existing = load_sources(target) if target.exists() else []
    result = read_opml_file(opml_path, existing)
    if result.added or not target.exists():
        write_sources_file(target, result.added, merge=merge)
    return result
