"""Offline demo: real feeds served from 127.0.0.1, crawled by the same main job as production.

    python scripts/demo.py                # serve, write a sources file, run `briefing run`
    python scripts/demo.py --crawl-only   # the same, but only `briefing crawl`
    python scripts/demo.py --serve-only   # serve and print how to point briefing at it (Ctrl-C stops)

The feeds and pages are real files bundled in ``tests/fixtures/demo`` (see its README for their
sources and licences). Every URL inside the feeds is rewritten, while serving, to
``http://127.0.0.1:PORT/ext/<original host>/<path>``: item links mapped to a bundled page
(``manifest.json``) return that page, so full-text extraction runs; other links return 404 and
the crawler keeps the feed's summary. `briefing run` gets ``--since 2019-01-01`` (unless other
arguments follow ``--``) so that the briefing covers the bundled, older items. The job runs with ``BRIEFING_SOURCES`` pointing at a
generated sources file, ``BRIEFING_ALLOW_PRIVATE_NETWORKS=1`` and ``BRIEFING_HOME`` =
``storage/demo`` (``--home``); ``BRIEFING_DATABASE_URL`` is unset so the demo never writes into
your real database. A Python audit hook records every outgoing connection; the demo prints them
and fails (exit 3) if anything but its own server was contacted.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "demo"
DEFAULT_PORT = 8642  # fixed, so that re-running the demo re-crawls the same URLs (no duplicates)
CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "rdf": "application/rdf+xml",
    "jsonfeed": "application/feed+json",
}
LAST_MODIFIED = "Sat, 21 Nov 2026 00:00:00 GMT"
DEMO_SINCE = "2019-01-01"  # the oldest bundled items are from 2019

# http(s)://host, also JSON-escaped (https:\/\/host); and protocol-relative //host in attributes.
_ABSOLUTE = re.compile(rb"https?:(\\?/)\\?/([A-Za-z0-9.-]+(?::\d+)?)", re.I)
_RELATIVE = re.compile(rb"(?<=[\"'(=;])(\\?/)\\?/((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?)")
# Identifiers that look like URLs but are never fetched: XML namespaces, the JSON Feed version.
_KEEP = re.compile(rb"xmlns(?::[\w.-]+)?\s*=\s*([\"'])[^\"']*\1|\"version\"\s*:\s*\"[^\"]*\"")


def rewrite_urls(body: bytes, base: str) -> bytes:
    """Point every http(s) and protocol-relative URL in ``body`` at ``base`` + /ext/<host>."""
    host = urlsplit(base).netloc.encode()
    keep = [m.span() for m in _KEEP.finditer(body)]

    def kept(start: int) -> bool:
        return any(a <= start < b for a, b in keep)

    def absolute(m: re.Match[bytes]) -> bytes:
        if kept(m.start()):
            return m.group(0)
        sep = m.group(1)
        return b"http:" + sep + sep + host + sep + b"ext" + sep + m.group(2).lower()

    def relative(m: re.Match[bytes]) -> bytes:
        if kept(m.start()):
            return m.group(0)
        sep = m.group(1)
        return b"http:" + sep + sep + host + sep + b"ext" + sep + m.group(2).lower()

    return _RELATIVE.sub(relative, _ABSOLUTE.sub(absolute, body))


def item_links(body: bytes, kind: str) -> list[str]:
    """The item links of a feed, in document order."""
    if kind == "jsonfeed":
        items = json.loads(body).get("items") or []
        return [str(i.get("url") or i.get("external_url") or "") for i in items]
    import feedparser

    return [str(e.get("link") or "") for e in feedparser.parse(body).entries]


@dataclass
class DemoSite:
    """The bundled feeds and pages, served on 127.0.0.1 with every URL rewritten to it."""

    fixtures: Path = FIXTURES
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)
    _files: dict[str, tuple[bytes, str, bool]] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> DemoSite:
        """Bind 127.0.0.1, prepare the rewritten files, and serve in a daemon thread."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                site._answer(self, head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                site._answer(self, head=True)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        except OSError as exc:
            raise SystemExit(f"demo: cannot listen on 127.0.0.1:{self.port}: {exc}") from None
        self._server.daemon_threads = True
        self._prepare()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _prepare(self) -> None:
        manifest = json.loads((self.fixtures / "manifest.json").read_text(encoding="utf-8"))
        self.feeds = manifest["feeds"]
        self._files["/robots.txt"] = (b"User-agent: *\nAllow: /\n", "text/plain", False)
        for feed in self.feeds:
            body = rewrite_urls(
                (self.fixtures / "feeds" / feed["file"]).read_bytes(), self.base_url
            )
            self._files[f"/feeds/{feed['file']}"] = (body, CONTENT_TYPES[feed["kind"]], False)
            links = item_links(body, feed["kind"])
            for link, page in zip(links, feed.get("pages", []), strict=False):
                gz = (self.fixtures / "pages" / page).read_bytes()
                self._files[unquote(urlsplit(link).path)] = (gz, "text/html", True)

    def feed_url(self, feed: dict[str, Any]) -> str:
        """The local URL of one manifest feed."""
        return f"{self.base_url}/feeds/{feed['file']}"

    def _answer(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        path = unquote(urlsplit(h.path).path)
        found = self._files.get(path)
        status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found\n"
        if found is not None:
            data, ctype, gzipped = found
            etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": LAST_MODIFIED}
            if h.headers.get("If-None-Match") == etag or (
                h.headers.get("If-None-Match") is None
                and h.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                status, body = 304, b""
            elif gzipped and "gzip" in (h.headers.get("Accept-Encoding") or ""):
                status, body = 200, data
                headers["Content-Encoding"] = "gzip"
            else:
                status, body = 200, gzip.decompress(data) if gzipped else data
        with self._lock:
            self.requests.append(
                {
                    "method": h.command,
                    "path": path,
                    "status": status,
                    "host": h.headers.get("Host"),
                    "user_agent": h.headers.get("User-Agent"),
                }
            )
        h.send_response(status)
        for key, value in headers.items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not head and body:
            h.wfile.write(body)


def write_sources(site: DemoSite, path: Path) -> Path:
    """A sources.yaml listing the demo feeds at their local URLs."""
    import yaml

    entries = [
        {
            "slug": f["slug"],
            "name": f["name"],
            "url": site.feed_url(f),
            "kind": f["kind"],
            "weight": f["weight"],
            "tags": f["tags"],
            # One local server for every feed: no politeness delay needed towards ourselves.
            "options": {"site_url": f["origin"], "delay": "0s"},
        }
        for f in site.feeds
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by scripts/demo.py: the bundled demo feeds, served on 127.0.0.1.\n"
    path.write_text(
        header + yaml.safe_dump({"sources": entries}, sort_keys=False), encoding="utf-8"
    )
    return path


class EgressRecorder:
    """Records every socket connect and name lookup of this process (a Python audit hook)."""

    _active: EgressRecorder | None = None
    _installed = False

    def __init__(self) -> None:
        self.connects: list[Any] = []
        self.lookups: list[Any] = []

    @classmethod
    def _hook(cls, event: str, args: tuple[Any, ...]) -> None:
        rec = cls._active
        if rec is None:
            return
        if event == "socket.connect" and args[0].family in (socket.AF_INET, socket.AF_INET6):
            rec.connects.append(tuple(args[1][:2]))
        elif event == "socket.getaddrinfo":
            rec.lookups.append(args[0])

    @contextmanager
    def recording(self) -> Iterator[EgressRecorder]:
        """Record while inside the block (the hook itself stays installed: hooks cannot be removed)."""
        if not EgressRecorder._installed:
            sys.addaudithook(EgressRecorder._hook)
            EgressRecorder._installed = True
        EgressRecorder._active = self
        try:
            yield self
        finally:
            EgressRecorder._active = None

    def foreign(self, port: int) -> list[Any]:
        """Connections to anything but 127.0.0.1:port."""
        return [c for c in self.connects if c != ("127.0.0.1", port)]


@contextmanager
def demo_environment(sources: Path, home: Path) -> Iterator[None]:
    """Set the BRIEFING_* variables the demo runs under, and restore them afterwards."""
    saved = {
        k: os.environ.get(k)
        for k in (
            "BRIEFING_SOURCES",
            "BRIEFING_HOME",
            "BRIEFING_ALLOW_PRIVATE_NETWORKS",
            "BRIEFING_DATABASE_URL",
            "HF_HUB_OFFLINE",
            "TRANSFORMERS_OFFLINE",
        )
    }
    os.environ.update(
        {
            "BRIEFING_SOURCES": str(sources),
            "BRIEFING_HOME": str(home),
            "BRIEFING_ALLOW_PRIVATE_NETWORKS": "1",
            "HF_HUB_OFFLINE": "1",  # the embedding model loads from local files only
            "TRANSFORMERS_OFFLINE": "1",
        }
    )
    os.environ.pop("BRIEFING_DATABASE_URL", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def job_argv(crawl_only: bool, extra: list[str]) -> list[str]:
    """`briefing run`, or `briefing crawl` when asked (or when `run` does not exist yet)."""
    from bot.cli import cli

    name = "crawl" if crawl_only or "run" not in cli.commands else "run"
    if name == "run" and not extra:
        extra = ["--since", DEMO_SINCE]  # the bundled items are old: brief all of them
    return [name, *extra]


def run_demo(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the demo; returns the exit code, the requests served and the connections made."""
    args = parse_args(argv)
    home = args.home.resolve()
    site = DemoSite(fixtures=args.fixtures, port=args.port).start()
    sources = write_sources(site, home / "demo-sources.yaml")
    result: dict[str, Any] = {"base_url": site.base_url, "sources": str(sources), "home": str(home)}
    try:
        if args.serve_only:
            print(f"demo: serving {len(site.feeds)} feeds on {site.base_url} (Ctrl-C stops)")
            print(
                f"export BRIEFING_SOURCES={sources} BRIEFING_HOME={home} BRIEFING_ALLOW_PRIVATE_NETWORKS=1"
            )
            print("unset BRIEFING_DATABASE_URL; briefing run")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                result["code"] = 0
            return result
        from bot.cli import main as cli_main

        command = job_argv(args.crawl_only, args.job_args)
        print(
            f"demo: {len(site.feeds)} feeds on {site.base_url}; running `briefing {' '.join(command)}`",
            file=sys.stderr,
        )
        with demo_environment(sources, home), EgressRecorder().recording() as egress:
            code = cli_main(command)
        port = urlsplit(site.base_url).port or 0
        foreign = egress.foreign(port)
        result.update(
            code=code,
            command=command,
            requests=list(site.requests),
            connects=egress.connects,
            lookups=egress.lookups,
            foreign=foreign,
        )
        served = {s: sum(1 for r in site.requests if r["status"] == s) for s in (200, 304, 404)}
        print(
            f"demo: served {len(site.requests)} requests (200: {served[200]}, 304: {served[304]}, "
            f"404: {served[404]}); {len(egress.connects)} connections, "
            f"{'all to ' + site.base_url if not foreign else 'FOREIGN: ' + repr(foreign)}",
            file=sys.stderr,
        )
        if foreign and code == 0:
            result["code"] = 3
        return result
    finally:
        site.stop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options of the demo."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--home",
        type=Path,
        default=REPO / "storage" / "demo",
        help="BRIEFING_HOME for the demo (default: storage/demo)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any)",
    )
    p.add_argument(
        "--fixtures",
        type=Path,
        default=FIXTURES,
        help="folder with manifest.json, feeds/ and pages/",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--serve-only", action="store_true", help="only serve; print how to run briefing against it"
    )
    mode.add_argument(
        "--crawl-only", action="store_true", help="run `briefing crawl` instead of `briefing run`"
    )
    p.add_argument(
        "job_args", nargs="*", help="extra arguments for the briefing command (after --)"
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Console entry: run the demo and exit with the job's exit code."""
    sys.path.insert(0, str(REPO))
    return int(run_demo(argv).get("code", 1))


if __name__ == "__main__":
    sys.exit(main())
