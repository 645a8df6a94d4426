"""Shared fixtures: a migrated database on SQLite and on a real PostgreSQL, settings, CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.store.db import open_engine
from tests.peers.http import http_server  # noqa: F401  (fixture: HTTP peer on 127.0.0.1)
from tests.peers.postgres import create_database, find_pg_bin, postgres_server

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's BRIEFING_* settings or writes into ./storage."""
    for key in list(os.environ):
        if key.startswith("BRIEFING_") and key != "BRIEFING_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def pg_base_url() -> Iterator[str]:
    if not os.environ.get("BRIEFING_TEST_POSTGRES_URL") and find_pg_bin() is None:
        pytest.skip("no PostgreSQL server binaries here (apt-get install postgresql)")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database: SQLite in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'briefing.db'}"
    base = request.getfixturevalue("pg_base_url")
    return create_database(base)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An SQLite URL only, for tests whose subject is not the database backend."""
    return f"sqlite:///{tmp_path / 'briefing.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on each backend."""
    eng = open_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("BRIEFING_DATABASE_URL", db_url)
    return Settings.from_env()
