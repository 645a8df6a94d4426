"""Subscribers and signed unsubscribe tokens."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.delivery.subscribers import (
    add_subscriber,
    list_subscribers,
    make_unsubscribe_token,
    remove_subscriber,
    set_subscriber,
    unsubscribe,
    unsubscribe_url,
    verify_unsubscribe_token,
)
from bot.errors import ConfigError, UsageError

SECRET = Settings(secret="s3cret", public_url="https://b.example/")


def test_add_list_set_remove(engine: Engine) -> None:
    sub = add_subscriber(engine, " Alice@Example.com ", topics=["chips"], labels=["deployment"],
                         frequency="weekly", timezone="Europe/Berlin")  # fmt: skip
    assert (sub["email"], sub["topics"], sub["frequency"], sub["timezone"]) == (
        "alice@example.com", ["chips"], "weekly", "Europe/Berlin")  # fmt: skip
    with pytest.raises(UsageError, match="already subscribed"):
        add_subscriber(engine, "alice@example.com")
    set_subscriber(engine, "alice@example.com", topics=[], frequency="daily")
    [row] = list_subscribers(engine)
    assert row["topics"] == [] and row["frequency"] == "daily" and row["labels"] == ["deployment"]
    remove_subscriber(engine, "alice@example.com")
    assert list_subscribers(engine) == []
    with pytest.raises(UsageError, match="no subscriber"):
        remove_subscriber(engine, "alice@example.com")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-address"}, "not an email address"),
        ({"email": "a@example.com", "labels": ["hyped"]}, "--labels"),
        ({"email": "a@example.com", "frequency": "hourly"}, "--frequency"),
        ({"email": "a@example.com", "timezone": "Mars/Base"}, "--timezone"),
        ({"email": "a@example.com", "topics": ["Bad Topic!"]}, "--topics"),
    ],
)
def test_bad_input_is_a_usage_error(sqlite_url: str, kwargs: dict, message: str) -> None:
    from bot.store.db import open_engine

    engine = open_engine(sqlite_url)
    email = kwargs.pop("email")
    with pytest.raises(UsageError, match=message):
        add_subscriber(engine, email, **kwargs)
    assert list_subscribers(engine) == []


def test_tokens_are_signed_and_checked_in_constant_time_compare() -> None:
    token = make_unsubscribe_token(SECRET, "alice@example.com")
    assert verify_unsubscribe_token(SECRET, token) == "alice@example.com"
    other = dataclasses.replace(SECRET, secret="another")
    for bad in (
        token[:-2] + "xx",
        "garbage",
        "",
        token.split(".")[0] + ".",
        make_unsubscribe_token(other, "alice@example.com"),
    ):
        with pytest.raises(UsageError, match="invalid unsubscribe token"):
            verify_unsubscribe_token(SECRET, bad)
    assert unsubscribe_url(SECRET, "alice@example.com").startswith(
        "https://b.example/unsubscribe?token="
    )
    with pytest.raises(ConfigError, match="BRIEFING_SECRET"):
        make_unsubscribe_token(Settings(), "alice@example.com")


def test_unsubscribe_deactivates_and_add_reactivates(engine: Engine) -> None:
    add_subscriber(engine, "alice@example.com")
    assert (
        unsubscribe(engine, SECRET, make_unsubscribe_token(SECRET, "alice@example.com"))
        == "alice@example.com"
    )
    [row] = list_subscribers(engine)
    assert row["active"] is False and row["unsubscribed_at"]
    add_subscriber(engine, "alice@example.com", topics=["models"])
    [row] = list_subscribers(engine)
    assert row["active"] is True and row["topics"] == ["models"]
