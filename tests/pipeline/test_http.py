"""The project's HTTP client: SSRF guard, User-Agent, size limit (bot/http.py), against a real server."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.config import Settings
from bot.http import (
    BlockedAddressError,
    BodyTooLargeError,
    check_host,
    is_public_address,
    make_client,
    read_limited,
)
from tests.peers.http import HTTPPeer


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_names_are_checked_by_what_they_resolve_to() -> None:
    # "localhost" is not a literal IP: the guard must resolve it and refuse 127.0.0.1
    with pytest.raises(BlockedAddressError):
        asyncio.run(check_host("localhost", 80, allow_private=False))
    asyncio.run(check_host("localhost", 80, allow_private=True))


def test_client_refuses_loopback_unless_allowed(http_server: HTTPPeer) -> None:
    url = http_server.url("/feeds/rss2.xml")

    async def get(allow: bool) -> int:
        async with make_client(Settings(allow_private_networks=allow)) as client:
            return (await client.get(url)).status_code

    with pytest.raises(BlockedAddressError):
        asyncio.run(get(False))
    assert http_server.hits("/feeds/rss2.xml") == 0  # refused before any byte was sent
    assert asyncio.run(get(True)) == 200
    assert "briefing/" in http_server.requests[-1].headers["user-agent"]
    assert "https://" in http_server.requests[-1].headers["user-agent"]  # a contact URL


def test_endless_body_is_cut_off(http_server: HTTPPeer) -> None:
    http_server.route("/endless", endless=True, content_type="application/xml")

    async def read() -> bytes:
        settings = Settings(allow_private_networks=True)
        async with (
            make_client(settings) as client,
            client.stream("GET", http_server.url("/endless")) as response,
        ):
            return await read_limited(response, 1_000_000)

    with pytest.raises(BodyTooLargeError):
        asyncio.run(read())


def test_redirects_are_limited(http_server: HTTPPeer) -> None:
    http_server.route("/loop", status=302, location="/loop")

    async def get() -> None:
        async with make_client(Settings(allow_private_networks=True)) as client:
            await client.get(http_server.url("/loop"))

    with pytest.raises(httpx.TooManyRedirects):
        asyncio.run(get())
    assert http_server.hits("/loop") == 6  # the first request and 5 redirects
