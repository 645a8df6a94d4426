"""scripts/demo.py: the bundled real feeds served on 127.0.0.1, every URL rewritten to it."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import socket
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "demo"
EXPECTED_ARTICLES = 12 + 10 + 15 + 3 + 10 + 10 + 10  # items in the seven bundled feeds
URL_RE = re.compile(
    r"(?:https?:(?=//)|(?<=[\"'(=;])(?=//))"  # absolute, or protocol-relative in an attribute
    r"//(?:[^/@\s\"'<>]+@)?([A-Za-z0-9.-]+)(?::(\d+))?",
    re.I,
)


def load_demo() -> ModuleType:
    if "briefing_demo" in sys.modules:
        return sys.modules["briefing_demo"]
    spec = importlib.util.spec_from_file_location("briefing_demo", REPO / "scripts" / "demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["briefing_demo"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def site() -> Any:
    demo = load_demo()
    running = demo.DemoSite(port=0).start()
    yield running
    running.stop()


def strings_in_json(value: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in strings_in_json(v, k)]
    if isinstance(value, list):
        return [p for v in value for p in strings_in_json(v, key)]
    return [(key, value)] if isinstance(value, str) else []


def strings_in_xml(body: bytes) -> list[str]:
    # Namespace URIs end up in tag names ({uri}tag), so they are not in this list: they are
    # identifiers, never fetched.
    root = ElementTree.fromstring(body)
    out: list[str] = []
    for el in root.iter():
        out += [el.text or "", el.tail or ""] + list(el.attrib.values())
    return out


def test_fixtures_are_small_and_licensed() -> None:
    total = sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file())
    assert total < 3_000_000
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    for feed in manifest["feeds"]:
        assert f"feeds/{feed['file']}" in readme
    assert (FIXTURES / "LICENSE-fastfeedparser-benchmark-data").exists()
    assert (FIXTURES / "LICENSE-article-extraction-benchmark").exists()
    assert {f["kind"] for f in manifest["feeds"]} == {"rss", "atom", "rdf", "jsonfeed"}


def test_every_url_in_served_feeds_points_at_the_local_server(site: Any) -> None:
    port = urlsplit(site.base_url).port
    checked = 0
    for feed in site.feeds:
        served = httpx.get(site.feed_url(feed)).content
        original = (FIXTURES / "feeds" / feed["file"]).read_bytes()
        found = []
        for body in (served, original):
            if feed["kind"] == "jsonfeed":
                strings = [v for k, v in strings_in_json(json.loads(body)) if k != "version"]
            else:
                strings = strings_in_xml(body)
                assert not feedparser.parse(body).bozo, feed["file"]
            found.append([m for text in strings for m in URL_RE.finditer(text)])
        local, before = found
        for m in local:
            assert (m.group(1), m.group(2)) == ("127.0.0.1", str(port)), (feed["file"], m.group(0))
        # Every URL of the original is still there, now local (links, images, inside content).
        assert len(local) == len(before) > 0, feed["file"]
        assert not any(m.group(1) == "127.0.0.1" for m in before)
        checked += len(local)
    assert checked > 500


def test_item_pages_404s_robots_and_conditional_get(site: Any) -> None:
    demo = load_demo()
    feed = next(f for f in site.feeds if f["pages"])
    body = httpx.get(site.feed_url(feed)).content
    links = demo.item_links(body, feed["kind"])
    first = httpx.get(links[0], headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200 and first.headers["content-type"] == "text/html"
    original = gzip.decompress((FIXTURES / "pages" / feed["pages"][0]).read_bytes())
    assert first.content == original
    zipped = httpx.get(links[0])  # httpx asks for gzip and decodes it
    assert zipped.headers.get("content-encoding") == "gzip" and zipped.content == original
    assert len(links) == len(feed["pages"])
    real = site.feeds[0]  # the real feeds' item links have no page: 404
    real_links = demo.item_links(httpx.get(site.feed_url(real)).content, real["kind"])
    assert real["pages"] == [] and httpx.get(real_links[0]).status_code == 404
    assert httpx.get(site.base_url + "/robots.txt").text.startswith("User-agent: *")
    etag = httpx.get(site.feed_url(feed)).headers["etag"]
    assert httpx.get(site.feed_url(feed), headers={"If-None-Match": etag}).status_code == 304
    assert [r["status"] for r in site.requests] == [200, 200, 200, 200, 404, 200, 200, 304]


def test_written_sources_file_is_valid(site: Any, tmp_path: Path) -> None:
    from bot.sources import load_sources

    demo = load_demo()
    specs = load_sources(demo.write_sources(site, tmp_path / "demo-sources.yaml"))
    assert [s.slug for s in specs] == [f["slug"] for f in site.feeds]
    assert all(s.url.startswith(site.base_url + "/feeds/") for s in specs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_end_to_end_crawl_contacts_only_its_own_server(tmp_path: Path) -> None:
    from sqlmodel import select

    from bot.store.db import open_engine, session_scope
    from bot.store.models import Article, Source

    demo = load_demo()
    home = tmp_path / "demo"
    port = free_port()
    argv = ["--home", str(home), "--port", str(port), "--crawl-only"]
    first = demo.run_demo(argv)
    assert first["code"] == 0
    assert first["connects"] and first["foreign"] == []
    assert set(first["connects"]) == {("127.0.0.1", port)}
    assert set(first["lookups"]) <= {"127.0.0.1"}
    paths = [r["path"] for r in first["requests"]]
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    for feed in manifest["feeds"]:
        assert paths.count(f"/feeds/{feed['file']}") == 1
    page_hits = [r for r in first["requests"] if r["path"].startswith("/ext/")]
    assert sum(r["status"] == 200 for r in page_hits) == sum(
        len(f["pages"]) for f in manifest["feeds"]
    )

    engine = open_engine(f"sqlite:///{home / 'briefing.db'}")
    with session_scope(engine) as session:
        articles = session.exec(select(Article)).all()
        sources = {s.id: s.slug for s in session.exec(select(Source)).all()}
        assert len(articles) == EXPECTED_ARTICLES
        assert all(a.url.startswith(f"http://127.0.0.1:{port}/ext/") for a in articles)
        extracted = [a for a in articles if a.text_source == "extracted"]
        assert len(extracted) >= 8  # the mapped pages; the rest keep their feed summary
        assert all(len(a.text) > 500 for a in extracted)
        failed = [a for a in articles if a.extraction_status == "failed"]
        assert failed and all(a.text for a in failed)
        assert set(sources.values()) == {f["slug"] for f in manifest["feeds"]}

    # Re-running the demo (same port) re-crawls the same URLs: nothing new, no duplicates.
    second = demo.run_demo(argv)
    assert second["code"] == 0 and second["foreign"] == []
    assert [r["status"] for r in second["requests"] if r["path"].startswith("/feeds/")] == [304] * 7
    with session_scope(engine) as session:
        assert len(session.exec(select(Article)).all()) == EXPECTED_ARTICLES
    engine.dispose()
