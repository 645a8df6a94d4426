"""A real HTTP server on loopback for tests: fixture files plus programmable routes.

Serves files from a directory (``{{BASE}}`` inside text files becomes the server's base URL, so
fixture feeds can link to fixture pages), with ETag and Last-Modified and 304 answers to
conditional GETs. Routes override paths: any status and headers, a delay before answering, a
trickled body, an endless body, redirects (loops too), gzip. Every request is logged.

    with HTTPPeer(root) as server:
        server.route("/broken.xml", status=500)
        url = server.url("/feeds/rss2.xml")
"""

from __future__ import annotations

import gzip as gzip_module
import hashlib
import mimetypes
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Route:
    """How one path answers. ``body`` may be bytes or a callable(request_headers) -> bytes."""

    status: int = 200
    body: bytes | Callable[[dict[str, str]], bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay_s: float = 0.0  # wait before answering
    trickle_s: float = 0.0  # wait between body chunks
    endless: bool = False  # stream body chunks until the client hangs up
    location: str | None = None  # for 3xx
    etag: str | None = None  # honour If-None-Match with 304
    last_modified: str | None = None  # honour If-Modified-Since with 304


@dataclass
class Request:
    """One logged request."""

    method: str
    path: str
    headers: dict[str, str]
    at: float


class HTTPPeer:
    """A threaded HTTP/1.1 server bound to a loopback address."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        delay_s: float = 0.0,
        gzip: bool = False,
    ) -> None:
        self.root = root
        self.host = host
        self.delay_s = delay_s  # added to every response
        self.gzip = gzip  # gzip bodies when the client accepts it
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.connections = 0  # TCP connections accepted (keep-alive reuse shows here)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ public API
    @property
    def base(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base + (path if path.startswith("/") else "/" + path)

    def route(self, path: str, **kwargs: Any) -> Route:
        """Program how ``path`` answers (see :class:`Route`)."""
        self.routes[path] = Route(**kwargs)
        return self.routes[path]

    def hits(self, path: str) -> int:
        """How many requests ``path`` received."""
        with self._lock:
            return sum(1 for r in self.requests if r.path.split("?")[0] == path)

    def start(self) -> HTTPPeer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HTTPPeer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ internals
    def _file_route(self, path: str) -> Route | None:
        if self.root is None:
            return None
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_file() or self.root.resolve() not in target.parents:
            return None
        data = target.read_bytes()
        if target.suffix in TYPES and target.suffix != ".gz":
            data = data.replace(b"{{BASE}}", self.base.encode())
        mtime = target.stat().st_mtime
        ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        return Route(
            body=data,
            content_type=ctype or "application/octet-stream",
            etag='"' + hashlib.sha1(data).hexdigest()[:16] + '"',
            last_modified=formatdate(mtime, usegmt=True),
        )

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:  # once per connection, however many requests it carries
                super().setup()
                with peer._lock:
                    peer.connections += 1

            def do_HEAD(self) -> None:  # noqa: N802
                self.do_GET()

            def do_GET(self) -> None:  # noqa: N802
                headers = {k.lower(): v for k, v in self.headers.items()}
                with peer._lock:
                    peer.requests.append(Request(self.command, self.path, headers, time.time()))
                path = self.path.split("?", 1)[0]
                route = peer.routes.get(self.path) or peer.routes.get(path)
                route = route or peer._file_route(path)
                if route is None:
                    route = Route(status=404, body=b"not found", content_type="text/plain")
                wait = route.delay_s + peer.delay_s
                if wait:
                    time.sleep(wait)
                try:
                    peer._answer(self, route, headers)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        return Handler

    def _answer(self, h: BaseHTTPRequestHandler, route: Route, req: dict[str, str]) -> None:
        if route.etag and req.get("if-none-match") == route.etag:
            return self._send_headers(h, 304, route, None)
        if route.last_modified and "if-modified-since" in req:
            try:
                since = parsedate_to_datetime(req["if-modified-since"])
                if parsedate_to_datetime(route.last_modified) <= since:
                    return self._send_headers(h, 304, route, None)
            except (TypeError, ValueError):
                pass
        if route.endless:
            self._send_headers(h, route.status, route, None, close=True)
            chunk = b"<item><title>" + b"x" * 65_000 + b"</title></item>\n"
            while True:  # until the client hangs up (BrokenPipeError ends it)
                h.wfile.write(chunk)
                if route.trickle_s:
                    time.sleep(route.trickle_s)
        body = route.body(req) if callable(route.body) else (route.body or b"")
        extra = {}
        if self.gzip and "gzip" in req.get("accept-encoding", "") and body:
            body = gzip_module.compress(body)
            extra["Content-Encoding"] = "gzip"
        self._send_headers(h, route.status, route, len(body), extra=extra)
        if h.command == "HEAD":
            return None
        if route.trickle_s:
            for i in range(0, len(body), 256):
                h.wfile.write(body[i : i + 256])
                h.wfile.flush()
                time.sleep(route.trickle_s)
        else:
            h.wfile.write(body)
        return None

    @staticmethod
    def _send_headers(
        h: BaseHTTPRequestHandler,
        status: int,
        route: Route,
        length: int | None,
        *,
        close: bool = False,
        extra: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        if route.content_type and status != 304:
            h.send_header("Content-Type", route.content_type)
        if route.etag:
            h.send_header("ETag", route.etag)
        if route.last_modified:
            h.send_header("Last-Modified", route.last_modified)
        if route.location:
            h.send_header("Location", route.location)
        for key, value in {**route.headers, **(extra or {})}.items():
            h.send_header(key, value)
        if length is not None and status != 304:
            h.send_header("Content-Length", str(length))
        elif status == 304:
            pass
        if close or length is None and status != 304:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def http_server() -> Iterator[HTTPPeer]:
    """An HTTPPeer on 127.0.0.1 serving tests/fixtures (feeds under /feeds, pages under /pages)."""
    with HTTPPeer(FIXTURES) as server:
        yield server


def write_sources(path: Path, feeds: dict[str, str], **options: Any) -> Path:
    """Write a sources.yaml with one entry per ``slug: url`` (``options`` go to every entry)."""
    lines = ["sources:"]
    for slug, url in feeds.items():
        lines += [f"  - slug: {slug}", f"    name: {slug} feed", f"    url: {url}"]
        if options:
            opts = ", ".join(f"{k}: {v}" for k, v in options.items())
            lines.append(f"    options: {{{opts}}}")
    path.write_text("\n".join(lines) + "\n")
    return path
