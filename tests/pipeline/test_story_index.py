"""The file copy of older stories' centroids (bot/pipeline/story_index.py), on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.pipeline.cluster import ClusterConfig, cluster_pending
from bot.pipeline.embed import HashingEmbedder, vector_to_bytes
from bot.pipeline.importer import import_articles
from bot.pipeline.story_index import StoryIndex
from bot.store.db import session_scope
from bot.store.models import Article, Story

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DIM = 8


def unit(k: int) -> np.ndarray:
    v = np.zeros(DIM, np.float32)
    v[k] = 1.0
    return v


def add_story(engine: Engine, k: int, last_seen: datetime, model: str = "m") -> int:
    with session_scope(engine) as s:
        st = Story(title=f"s{k}", first_seen_at=last_seen, last_seen_at=last_seen, model=model,
                   centroid=vector_to_bytes(unit(k)))  # fmt: skip
        s.add(st)
        s.flush()
        return int(st.id)  # type: ignore[arg-type]


def sync(engine: Engine, index: StoryIndex, at: datetime) -> None:
    with session_scope(engine) as s:
        index.sync(s, "m", DIM, at - timedelta(days=30), at - timedelta(days=3 * 365))


def test_stories_leaving_the_recent_window_are_copied_and_found(
    engine: Engine, tmp_path: Path
) -> None:
    old = add_story(engine, 0, NOW - timedelta(days=200))
    recent = add_story(engine, 1, NOW - timedelta(days=5))
    ancient = add_story(engine, 2, NOW - timedelta(days=4 * 365))  # beyond the horizon
    index = StoryIndex(tmp_path / "ix")
    sync(engine, index, NOW)
    query = np.stack([unit(0), unit(1), unit(2)])
    assert index.candidates(query, 0.3, 10) == [old]
    # three weeks later the recent story has aged out: the next sync appends it
    sync(engine, index, NOW + timedelta(days=30))
    assert sorted(index.candidates(query, 0.3, 10)) == sorted([old, recent])
    assert ancient not in index.candidates(query, 0.3, 10)
    # another process reads the same files
    again = StoryIndex(tmp_path / "ix")
    sync(engine, again, NOW + timedelta(days=30))
    assert sorted(again.candidates(query, 0.3, 10)) == sorted([old, recent])
    assert again.candidates(np.stack([unit(5)]), 0.3, 10) == []


def test_a_story_changed_while_old_replaces_its_row(engine: Engine, tmp_path: Path) -> None:
    sid = add_story(engine, 0, NOW - timedelta(days=200))
    index = StoryIndex(tmp_path / "ix")
    sync(engine, index, NOW)
    with session_scope(engine) as s:  # an old article joined it and moved its centroid
        s.execute(update(Story).where(Story.id == sid).values(centroid=vector_to_bytes(unit(3))))
        story = s.get(Story, sid)
        assert story is not None
        index.add([story])
    assert index.candidates(np.stack([unit(3)]), 0.9, 10) == [sid]
    assert index.candidates(np.stack([unit(0)]), 0.3, 10) == []
    meta = json.loads((tmp_path / "ix" / "stories.json").read_text())
    assert meta["rows"] == 1  # the superseded row was compacted away (1 of 2 kept)


def test_another_database_at_the_same_path_starts_the_copy_again(
    engine: Engine, tmp_path: Path
) -> None:
    index = StoryIndex(tmp_path / "ix")
    add_story(engine, 0, NOW - timedelta(days=200))
    sync(engine, index, NOW)
    (tmp_path / "ix" / "stories.json").write_text(
        json.dumps({**index.meta, "fingerprint": "1@another database"})
    )
    fresh = StoryIndex(tmp_path / "ix")
    sync(engine, fresh, NOW)
    assert len(fresh.candidates(np.stack([unit(0)]), 0.3, 10)) == 1


def test_rows_left_by_a_killed_append_are_ignored(engine: Engine, tmp_path: Path) -> None:
    sid = add_story(engine, 0, NOW - timedelta(days=200))
    index = StoryIndex(tmp_path / "ix")
    sync(engine, index, NOW)
    with open(tmp_path / "ix" / "stories.ids", "ab") as fh:  # a row written, never counted
        fh.write(np.array([999], "<i8").tobytes())
    with open(tmp_path / "ix" / "stories.f16", "ab") as fh:
        fh.write(unit(4).astype("<f2").tobytes())
    assert index.candidates(np.stack([unit(4)]), 0.3, 10) == []
    assert index.candidates(np.stack([unit(0)]), 0.3, 10) == [sid]


CHIP = (
    "Quanta Chips unveiled the Q9 accelerator with 288GB HBM memory for AI data centres in Austin"
)


def test_a_follow_up_months_later_finds_its_story_through_the_copy(
    engine: Engine, settings: Settings
) -> None:
    emb = HashingEmbedder()

    def rec(n: int, day: str) -> dict:
        return {"id": f"r{n}", "url": f"https://www.outlet{n}.test/a/{n}", "title": CHIP[:60],
                "text": f"{CHIP}. Item {n}.", "published": f"{day}T10:00:00Z", "source": f"o{n}"}  # fmt: skip

    import_articles(engine, [rec(1, "2026-01-05"), rec(2, "2026-01-05")])
    cluster_pending(engine, settings, embedder=emb)
    import_articles(engine, [rec(3, "2026-05-20")])  # four months on: an older story now
    cluster_pending(engine, settings, embedder=emb)
    files = list((settings.home / "index").glob("*stories*/stories.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["rows"] >= 1
    with session_scope(engine) as s:
        got = dict(s.execute(select(Article.external_id, Article.story_id)).all())
    assert got["r3"] == got["r1"] is not None
    assert ClusterConfig().old_story_index


def test_damaged_files_are_rebuilt_from_the_database(engine: Engine, tmp_path: Path) -> None:
    sid = add_story(engine, 0, NOW - timedelta(days=200))
    index = StoryIndex(tmp_path / "ix")
    sync(engine, index, NOW)
    (tmp_path / "ix" / "stories.f16").write_bytes(b"\x00")  # truncated
    fresh = StoryIndex(tmp_path / "ix")
    sync(engine, fresh, NOW)
    assert fresh.candidates(np.stack([unit(0)]), 0.3, 10) == [sid]
    (tmp_path / "ix" / "stories.json").write_text("{not json")
    again = StoryIndex(tmp_path / "ix")
    sync(engine, again, NOW)
    assert again.candidates(np.stack([unit(0)]), 0.3, 10) == [sid]
