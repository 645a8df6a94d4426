"""A stand-in for the Slack Web API and incoming webhooks: a real HTTP server on 127.0.0.1.

slack-sdk talks to it with ``WebClient(base_url=stand_in.api_url)``. It records every
``chat.postMessage`` (JSON or form body), answers like Slack (``{"ok": true, "ts": ...}``),
rejects messages that break Block Kit limits the way Slack does (``invalid_blocks``), and can be
scripted to fail: ``fail_next(429, retry_after=1)`` or ``fail_next(500)`` before succeeding.
Webhook posts to ``/webhook/...`` are recorded and answered with plain ``ok``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Failure:
    status: int
    retry_after: int | None = None
    after_calls: int = 0  # only once this many messages were accepted


@dataclass
class SlackStandIn:
    """State of the stand-in: recorded calls and scripted failures."""

    port: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)  # successful chat.postMessage
    attempts: list[dict[str, Any]] = field(default_factory=list)  # every request, incl. failures
    webhook_posts: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: int = 0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook/T000/B000/secret"

    def fail_next(
        self, status: int, *, retry_after: int | None = None, times: int = 1, after_calls: int = 0
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (and Retry-After), once
        ``after_calls`` messages have been accepted."""
        with self.lock:
            self.failures.extend(Failure(status, retry_after, after_calls) for _ in range(times))

    def _take_failure(self) -> Failure | None:
        accepted = len(self.calls) + len(self.webhook_posts)
        for i, failure in enumerate(self.failures):
            if failure.after_calls <= accepted:
                return self.failures.pop(i)
        return None

    def next_ts(self) -> str:
        with self.lock:
            self._ts += 1
            return f"1700000000.{self._ts:06d}"


def _limits_error(payload: dict[str, Any]) -> str | None:
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not payload.get("text"):
        return "no_text"
    if blocks is None:
        return None
    if len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        if block.get("type") == "header" and len(text) > 150:
            return "invalid_blocks"
        if block.get("type") == "section" and len(text) > 3000:
            return "invalid_blocks"
    return None


def _handler(state: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _reply(
            self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(
            self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            self._reply(
                status, json.dumps(data).encode(), "application/json; charset=utf-8", headers
            )

        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if "json" in (self.headers.get("Content-Type") or ""):
                payload = json.loads(raw or "{}")
            else:
                payload = {k: v[0] for k, v in parse_qs(raw).items()}
            with state.lock:
                state.attempts.append({"path": self.path, "payload": payload})
                failure = state._take_failure()
            if failure is not None:
                headers = (
                    {"Retry-After": str(failure.retry_after)}
                    if failure.retry_after is not None
                    else {}
                )
                if self.path.startswith("/webhook/"):
                    self._reply(failure.status, b"error", "text/plain", headers)
                else:
                    self._json(
                        failure.status,
                        {
                            "ok": False,
                            "error": "ratelimited" if failure.status == 429 else "internal_error",
                        },
                        headers,
                    )
                return
            if self.path.startswith("/webhook/"):
                if _limits_error(payload):
                    self._reply(400, b"invalid_blocks", "text/plain")
                    return
                with state.lock:
                    state.webhook_posts.append(payload)
                self._reply(200, b"ok", "text/plain")
                return
            if self.path.rstrip("/") != "/api/chat.postMessage":
                self._json(404, {"ok": False, "error": "unknown_method"})
                return
            if not (self.headers.get("Authorization") or "").startswith("Bearer "):
                self._json(200, {"ok": False, "error": "not_authed"})
                return
            error = _limits_error(payload)
            if error:
                self._json(200, {"ok": False, "error": error})
                return
            ts = state.next_ts()
            with state.lock:
                state.calls.append(
                    {**payload, "ts": ts, "token": self.headers["Authorization"][7:]}
                )
            self._json(
                200,
                {
                    "ok": True,
                    "channel": payload.get("channel"),
                    "ts": ts,
                    "message": {"text": payload.get("text"), "ts": ts},
                },
            )

    return Handler


@contextmanager
def slack_stand_in() -> Iterator[SlackStandIn]:
    """Run the stand-in on a free port of 127.0.0.1 for the duration of the block."""
    state = SlackStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
