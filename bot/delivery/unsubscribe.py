"""The one-click unsubscribe endpoint (RFC 8058).

``POST /unsubscribe?token=...`` unsubscribes (mail clients send ``List-Unsubscribe=One-Click``
as the body). ``GET /unsubscribe?token=...`` only shows a confirmation form: link scanners and
prefetchers issue GETs, so a GET never unsubscribes anyone.
"""

from __future__ import annotations

import html
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.delivery.subscribers import unsubscribe, verify_unsubscribe_token
from bot.errors import BotError, ConfigError, UsageError

log = logging.getLogger(__name__)
MAX_BODY = 8192

_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 560px; margin: 40px auto; padding: 0 16px;">
<h1 style="font-size: 22px;">{title}</h1>{body}</body></html>"""


def _page(title: str, body: str) -> bytes:
    return _PAGE.format(title=html.escape(title), body=body).encode()


class UnsubscribeServer(ThreadingHTTPServer):
    """An HTTP server that owns the engine and settings its handler uses."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: UnsubscribeServer
    server_version = "briefing-unsubscribe"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.info("unsubscribe %s", format % args)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _token(self, body: str = "") -> tuple[str | None, str]:
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") != "/unsubscribe":
            return None, parts.path
        query = parse_qs(parts.query)
        form = parse_qs(body)
        tokens = query.get("token") or form.get("token") or []
        return (tokens[0] if tokens else None), parts.path

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        token, path = self._token()
        if path.rstrip("/") != "/unsubscribe":
            self._send(404, _page("Not found", "<p>Nothing here.</p>"))
            return
        try:
            email = verify_unsubscribe_token(self.server.settings, token or "")
        except UsageError:
            self._send(400, _page("Invalid link", "<p>This unsubscribe link is not valid.</p>"))
            return
        form = (
            f"<p>Stop sending the briefing to <strong>{html.escape(email)}</strong>?</p>"
            f'<form method="post" action="/unsubscribe?token={html.escape(token or "", quote=True)}">'
            '<button type="submit" style="font-size: 16px; padding: 8px 16px;">Unsubscribe</button>'
            "</form>"
        )
        self._send(200, _page("Unsubscribe", form))

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        token, path = self._token(body)
        if path.rstrip("/") != "/unsubscribe":
            self._send(404, _page("Not found", "<p>Nothing here.</p>"))
            return
        try:
            email = unsubscribe(self.server.engine, self.server.settings, token or "")
        except UsageError:
            self._send(400, _page("Invalid link", "<p>This unsubscribe link is not valid.</p>"))
            return
        except BotError as exc:
            log.error("unsubscribe failed: %s", exc)
            self._send(500, _page("Try again later", "<p>Unsubscribing failed; try again.</p>"))
            return
        self._send(
            200, _page("Unsubscribed", f"<p>{html.escape(email)} will get no more briefings.</p>")
        )


def make_unsubscribe_server(
    engine: Engine, settings: Settings, host: str = "127.0.0.1", port: int = 8025
) -> UnsubscribeServer:
    """A bound (not yet serving) server; call ``serve_forever()`` on it."""
    if not settings.secret:
        raise ConfigError("BRIEFING_SECRET is not set: it verifies unsubscribe tokens")
    try:
        return UnsubscribeServer((host, port), engine, settings)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
