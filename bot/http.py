"""The project's HTTP client: httpx with an SSRF guard, a User-Agent, timeouts and size limits.

Every request, and every redirect hop (httpx sends each hop through the transport), has its
host resolved and checked: private, loopback, link-local, multicast and reserved addresses are
refused unless ``BRIEFING_ALLOW_PRIVATE_NETWORKS=1``. Bodies are streamed and cut off at a
maximum size, so a multi-gigabyte response costs at most that many bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import socket
import ssl
from typing import Any

import httpx

from bot.config import Settings

# httpx imports httpcore when the first transport is made, and httpcore imports anyio's asyncio
# backend on the first request; import both with this module so that a crawl's first requests
# (latency-bound: robots.txt, then the feeds) do not wait for them.
with contextlib.suppress(ImportError):  # another layout: they are imported on first use
    import anyio._backends._asyncio  # noqa: F401
    import httpcore  # noqa: F401

MAX_REDIRECTS = 5
MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_PAGE_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 20.0


class BlockedAddressError(httpx.TransportError):
    """The host resolves to an address the guard refuses (reason ``blocked_private_address``)."""


class BodyTooLargeError(Exception):
    """The response body is larger than allowed (reason ``too_large``)."""


def is_public_address(address: str) -> bool:
    """True when ``address`` is a globally routable unicast IP (not private, loopback, ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


async def resolve_host(host: str, port: int) -> list[str]:
    """All IP addresses ``host`` resolves to (a literal IP resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def check_host(host: str, port: int, *, allow_private: bool) -> None:
    """Raise BlockedAddressError when any resolved address of ``host`` is not public."""
    if allow_private:
        return
    try:
        addresses = await resolve_host(host, port)
    except OSError as exc:
        raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from exc
    for address in addresses:
        if not is_public_address(address):
            raise BlockedAddressError(f"{host} resolves to non-public address {address}")


class GuardedTransport(httpx.AsyncBaseTransport):
    """A transport that checks the resolved addresses of every request's host before sending."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, allow_private: bool) -> None:
        self.inner = inner
        self.allow_private = allow_private

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Check the host, then delegate to the real transport."""
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"refusing scheme {url.scheme!r}")
        port = url.port or (443 if url.scheme == "https" else 80)
        await check_host(url.host, port, allow_private=self.allow_private)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the real transport."""
        await self.inner.aclose()


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """httpx's verifying TLS context (certifi's CA bundle), built once per process: loading the
    bundle costs 60 ms, paid before a crawl's first request."""
    return httpx.create_ssl_context()


def make_client(
    settings: Settings,
    *,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    read_timeout: float = READ_TIMEOUT_S,
    max_connections: int = 100,
    **kwargs: Any,
) -> httpx.AsyncClient:
    """An AsyncClient with the SSRF guard, our User-Agent, timeouts and at most 5 redirects."""
    # At most 20 idle connections: httpcore scans its whole pool on every request, and keeping
    # one per host of a 100-feed crawl made that crawl 0.6 s slower (1.3 CPU-s more).
    inner = httpx.AsyncHTTPTransport(
        verify=default_ssl_context(),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=20),
        retries=0,
    )
    return httpx.AsyncClient(
        transport=GuardedTransport(inner, allow_private=settings.allow_private_networks),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        headers={"User-Agent": settings.user_agent},
        **kwargs,
    )


DRAIN_BYTES = 64 * 1024  # error bodies up to this size are read so their connection is reused


async def drain_small(response: httpx.Response) -> None:
    """Read and drop a small body we do not need (a 404 page, robots.txt's most common answer).

    An unread body makes the client close the connection; read, the connection goes back to the
    pool for the host's next request. Bodies of unknown or larger size are left unread.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= DRAIN_BYTES:
        with contextlib.suppress(httpx.HTTPError):
            await response.aread()


async def read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    """Read a streamed response's (decompressed) body; raise BodyTooLargeError past ``max_bytes``."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLargeError(f"Content-Length {declared} > {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLargeError(f"body larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
