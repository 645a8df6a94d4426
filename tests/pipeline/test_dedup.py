"""Near-duplicate detection (bot/pipeline/dedup.py)."""

from __future__ import annotations

from bot.pipeline.dedup import DedupItem, find_duplicates
from bot.pipeline.embed import HashingEmbedder

WIRE = (
    "Kestrel Robotics, which builds warehouse picking robots, has raised $200 million in a "
    "Series C round led by Northgate Capital, valuing the Denver company at $1.5 billion."
)
REWRITE = (
    "Denver-based Kestrel Robotics closed a $200 million funding round led by Northgate Capital; "
    "the warehouse robot maker will build a second factory in Colorado."
)


def items(*specs: tuple[int, str, str, str]) -> list[DedupItem]:
    emb = HashingEmbedder()
    vecs = emb.encode([f"{t}. {x}" for _, _, t, x in specs])
    return [DedupItem(i, h, t, x, v) for (i, h, t, x), v in zip(specs, vecs, strict=True)]


def test_identical_text_from_two_sources_is_one_group() -> None:
    new = items((2, "h1", "Kestrel raises $200M", WIRE), (3, "h1", "Kestrel Robotics raises", WIRE))
    old = items((1, "h1", "Kestrel Robotics raises $200 million", WIRE))
    assert find_duplicates(new, old) == {2: 1, 3: 1}


def test_lightly_edited_copy_is_a_duplicate_but_a_rewrite_is_not() -> None:
    edited = WIRE.replace("has raised", "raised") + " Shares of rivals fell."
    new = items((2, "h2", "Kestrel raises $200M", edited), (3, "h3", "Kestrel valued", REWRITE))
    old = items((1, "h1", "Kestrel raises $200M", WIRE))
    assert find_duplicates(new, old) == {2: 1}


def test_copy_of_a_copy_points_at_the_canonical_article() -> None:
    old = items((5, "h1", "Kestrel", WIRE))
    old[0].canonical_id = 4  # 5 is itself a copy of 4
    assert find_duplicates(items((6, "h1", "Kestrel", WIRE)), old) == {6: 4}


def test_empty_and_short_texts_are_never_copies() -> None:
    new = items((2, "e", "Title A", ""), (3, "e", "Title B", ""), (4, "s", "Short", "Breaking."))
    assert find_duplicates(new, items((1, "e", "Title C", ""))) == {}
