"""The one-click unsubscribe endpoint over real HTTP: POST unsubscribes, GET never does."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.delivery.subscribers import add_subscriber, list_subscribers, make_unsubscribe_token
from bot.delivery.unsubscribe import make_unsubscribe_server
from bot.errors import ConfigError

CFG = Settings(secret="s3cret", public_url="https://b.example")


@pytest.fixture
def server(sqlite_url: str) -> Iterator[tuple[str, Engine]]:
    from bot.store.db import open_engine

    engine = open_engine(sqlite_url)
    srv = make_unsubscribe_server(engine, CFG, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", engine
    srv.shutdown()
    srv.server_close()


def _active(engine: Engine) -> bool:
    return list_subscribers(engine)[0]["active"]


def test_get_shows_a_form_and_does_not_unsubscribe(server: tuple[str, Engine]) -> None:
    base, engine = server
    add_subscriber(engine, "alice@example.com")
    token = make_unsubscribe_token(CFG, "alice@example.com")
    resp = httpx.get(f"{base}/unsubscribe", params={"token": token})
    assert (
        resp.status_code == 200
        and '<form method="post"' in resp.text
        and "alice@example.com" in resp.text
    )
    assert _active(engine)


def test_one_click_post_unsubscribes(server: tuple[str, Engine]) -> None:
    base, engine = server
    add_subscriber(engine, "alice@example.com")
    token = make_unsubscribe_token(CFG, "alice@example.com")
    resp = httpx.post(f"{base}/unsubscribe", params={"token": token},
                      content="List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert resp.status_code == 200 and "no more briefings" in resp.text
    assert not _active(engine)
    again = httpx.post(f"{base}/unsubscribe", params={"token": token})
    assert again.status_code == 200  # idempotent


def test_forged_token_is_rejected(server: tuple[str, Engine]) -> None:
    base, engine = server
    add_subscriber(engine, "alice@example.com")
    forged = make_unsubscribe_token(Settings(secret="guess"), "alice@example.com")
    assert httpx.post(f"{base}/unsubscribe", params={"token": forged}).status_code == 400
    assert httpx.post(f"{base}/elsewhere").status_code == 404
    assert _active(engine)


def test_server_needs_the_secret(sqlite_url: str) -> None:
    from bot.store.db import open_engine

    with pytest.raises(ConfigError, match="BRIEFING_SECRET"):
        make_unsubscribe_server(open_engine(sqlite_url), Settings(), "127.0.0.1", 0)
