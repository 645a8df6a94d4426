"""Polite fetching: per-host concurrency and delay, robots.txt, conditional GET, failure reasons.

A :class:`Fetcher` lives for one crawl run. It never raises for a per-URL problem: every
outcome is a :class:`FetchResult` whose ``reason`` names what went wrong (``http_500``,
``timeout``, ``too_large``, ``blocked_private_address``, ``robots_disallowed``, ...).

robots.txt is fetched once per host and run; given ``robots_known`` (what earlier runs stored,
see :class:`RobotsEntry`) a copy younger than ``ROBOTS_TTL_S`` (a day, the most RFC 9309 allows)
is used without a request. Copies fetched in this run are in :attr:`Fetcher.robots_fetched`
for the caller to store. An unreachable robots.txt (5xx, timeout) is never stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.robotparser
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from bot.http import BlockedAddressError, BodyTooLargeError, drain_small, read_limited

ROBOTS_AGENT = "briefing"
ROBOTS_TTL_S = 24 * 3600
MAX_RETRY_AFTER_S = 24 * 3600


@dataclass
class RobotsEntry:
    """A host's robots.txt answer: HTTP status and body, and when it was fetched (UTC)."""

    status: int
    body: str
    fetched_at: datetime

    def fresh(self, now: datetime | None = None) -> bool:
        """Young enough to use without fetching again."""
        at = self.fetched_at if self.fetched_at.tzinfo else self.fetched_at.replace(tzinfo=UTC)
        age = ((now or datetime.now(UTC)) - at).total_seconds()
        return 0 <= age < ROBOTS_TTL_S


def robots_parser(entry: RobotsEntry) -> urllib.robotparser.RobotFileParser:
    """The rules of a robots.txt answer: 401/403 forbid everything, other 4xx allow everything."""
    parser = urllib.robotparser.RobotFileParser()
    if entry.status in (401, 403):
        parser.disallow_all = True  # type: ignore[attr-defined]
    elif 200 <= entry.status < 300:
        parser.parse(entry.body.splitlines())
    else:
        parser.allow_all = True  # type: ignore[attr-defined]
    return parser


@dataclass
class FetchResult:
    """What one GET produced: a body, a 304, or a failure reason."""

    url: str
    final_url: str = ""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    reason: str | None = None
    retry_after_s: float | None = None
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        """A 2xx response with its body read."""
        return self.reason is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        """The server answered 304 to our conditional GET."""
        return self.status == 304 and self.reason is None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped at 24 h."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER_S))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return float(min(max(delta, 0.0), MAX_RETRY_AFTER_S))


def _connect_reason(exc: BaseException) -> str:
    seen: BaseException | None = exc
    text = ""
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection_refused"
        text += " " + str(seen).lower()
        seen = seen.__cause__ or seen.__context__
    if "resolve" in text or "name or service" in text or "getaddrinfo" in text:
        return "dns_error"
    return "connection_refused" if "refused" in text else "connection_error"


def host_key(url: str) -> str:
    """The politeness key of a URL: scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


class _Host:
    def __init__(self, concurrency: int) -> None:
        self.gate = asyncio.Semaphore(concurrency)
        self.lock = asyncio.Lock()
        self.next_at = 0.0


class Fetcher:
    """Fetches URLs with one shared client, politely; one instance per crawl run."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        host_concurrency: int = 2,
        host_delay_s: float = 1.0,
        obey_robots: bool = True,
        robots_known: dict[str, RobotsEntry] | None = None,
    ) -> None:
        self.client = client
        self.host_concurrency = host_concurrency
        self.host_delay_s = host_delay_s
        self.obey_robots = obey_robots
        self.robots_known = dict(robots_known or {})
        self.robots_fetched: dict[str, RobotsEntry] = {}
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, asyncio.Task[urllib.robotparser.RobotFileParser | None]] = {}

    @contextlib.asynccontextmanager
    async def _polite(self, url: str, delay_s: float | None) -> AsyncIterator[None]:
        key = host_key(url)
        host = self._hosts.setdefault(key, _Host(self.host_concurrency))
        gap = self.host_delay_s if delay_s is None else delay_s
        async with host.gate:
            async with host.lock:  # requests to one host start at least `gap` seconds apart
                wait = host.next_at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                host.next_at = time.monotonic() + gap
            yield

    async def _load_robots(self, key: str) -> urllib.robotparser.RobotFileParser | None:
        known = self.robots_known.get(key)
        if known is not None and known.fresh():
            return robots_parser(known)
        result = await self._get(key + "/robots.txt", max_bytes=512 * 1024, delay_s=None)
        if result.status is None or result.status >= 500 or result.reason == "too_large":
            return None  # unreachable robots.txt: the fetch itself reports the real problem
        body = result.body.decode("utf-8", "replace") if result.ok else ""
        entry = RobotsEntry(result.status, body, datetime.now(UTC))
        self.robots_fetched[key] = entry
        return robots_parser(entry)

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets us fetch it (cached per host for this run)."""
        if not self.obey_robots:
            return True
        key = host_key(url)
        task = self._robots.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load_robots(key))
            self._robots[key] = task
        parser = await task
        return parser is None or parser.can_fetch(ROBOTS_AGENT, url)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int,
        delay_s: float | None = None,
        timeout_s: float | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url`` politely (robots, per-host gate and delay); never raises for URL problems."""
        if not await self.allowed(url):
            return FetchResult(url=url, reason="robots_disallowed")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        return await self._get(
            url, max_bytes=max_bytes, delay_s=delay_s, headers=headers, timeout_s=timeout_s
        )

    async def _get(
        self,
        url: str,
        *,
        max_bytes: int,
        delay_s: float | None,
        headers: dict[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> FetchResult:
        result = FetchResult(url=url, final_url=url)
        started = time.monotonic()
        timeout = httpx.USE_CLIENT_DEFAULT if timeout_s is None else httpx.Timeout(timeout_s)
        try:
            async with self._polite(url, delay_s):
                request = self.client.build_request("GET", url, headers=headers, timeout=timeout)
                response = await self.client.send(request, stream=True)
                try:
                    result.status = response.status_code
                    result.final_url = str(response.url)
                    result.headers = {k.lower(): v for k, v in response.headers.items()}
                    if response.status_code in (429, 503):
                        result.retry_after_s = parse_retry_after(
                            response.headers.get("retry-after")
                        )
                    if response.status_code >= 400:
                        result.reason = f"http_{response.status_code}"
                        await drain_small(response)
                    elif response.status_code == 200:
                        result.body = await read_limited(response, max_bytes)
                finally:
                    await response.aclose()
        except BlockedAddressError:
            result.reason = "blocked_private_address"
        except BodyTooLargeError:
            result.reason = "too_large"
        except httpx.TooManyRedirects:
            result.reason = "too_many_redirects"
        except httpx.TimeoutException:
            result.reason = "timeout"
        except httpx.ConnectError as exc:
            result.reason = _connect_reason(exc)
        except httpx.UnsupportedProtocol:
            result.reason = "unsupported_url"
        except (httpx.DecodingError, httpx.RemoteProtocolError):
            result.reason = "bad_response"
        except httpx.HTTPError as exc:
            result.reason = "http_error:" + type(exc).__name__
        except (httpx.InvalidURL, ValueError):  # a URL httpx refuses to build
            result.reason = "invalid_url"
        result.elapsed_s = round(time.monotonic() - started, 3)
        return result
