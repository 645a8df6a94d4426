"""Two senders on one database never run at once (no digest built and sent twice)."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.delivery.lock import send_lock
from bot.delivery.send import send_digests
from bot.errors import StorageError
from bot.store.db import make_engine
from tests.briefing.factory import NOW, seed_briefing
from tests.peers.slack import slack_stand_in


def test_second_sender_waits_then_gives_up(engine: Engine, settings: Settings) -> None:
    seed_briefing(engine)
    other = make_engine(
        str(engine.url.render_as_string(hide_password=False))
    )  # as another process would
    with slack_stand_in() as slack:
        cfg = dataclasses.replace(
            settings, slack_token="x", slack_channel="C1", slack_api_url=slack.api_url
        )
        busy = pytest.raises(StorageError, match="another `briefing digest send` is running")
        with send_lock(other), busy:
            send_digests(engine, cfg, to="slack", now=NOW, lock_wait_s=0.5)
        assert slack.attempts == []
        # released: the next send goes through, exactly once even when two race
        results: list[dict] = []
        threads = [threading.Thread(target=lambda: results.append(send_digests(engine, cfg, to="slack", now=NOW)))
                   for _ in range(2)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(str(r["totals"]) for r in results) == sorted(
            [str({"sent": 1}), str({"skipped_empty": 1})]
        )
        assert len(slack.calls) == 1
    other.dispose()
