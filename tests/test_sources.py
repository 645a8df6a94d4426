"""sources.yaml loading, validation messages, durations, and syncing into the sources table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.errors import SourcesError
from bot.sources import SourceSpec, load_sources, parse_duration, sync_sources
from bot.store.db import session_scope
from bot.store.models import Article, Source

REPO = Path(__file__).resolve().parents[1]

GOOD = """\
defaults:
  weight: 1.0
  interval: 30m
  options: {fetch_pages: true, delay: 1s}
sources:
  - slug: lab-one
    name: Lab One
    url: https://lab.example.org/feed.xml
    kind: rss
    weight: 2
    tags: [lab, models]
  - slug: press_two
    name: Press Two
    url: http://press.example.net/atom
    kind: atom
    interval: 1h30m
    options: {max_items: 20, delay: 5s, site_url: https://press.example.net/}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SourcesError) as info:
        load_sources(write(tmp_path, text))
    assert info.value.exit_code == 2
    return info.value.problems


def entry(**fields: object) -> str:
    base: dict[str, object] = {"slug": "ok", "name": "OK", "url": "https://ok.example.org/rss"}
    base.update(fields)
    lines = []
    for key, value in base.items():
        lines.append(f"    {key}: {value}")
    return "  -\n" + "\n".join(lines) + "\n"


def test_good_file_applies_defaults_and_merges_options(tmp_path: Path) -> None:
    specs = load_sources(write(tmp_path, GOOD))
    assert [s.slug for s in specs] == ["lab-one", "press_two"]
    one, two = specs
    assert one.weight == 2.0 and one.kind == "rss" and one.tags == ["lab", "models"]
    assert one.interval_s == 1800
    assert one.options == {"fetch_pages": True, "delay": 1}
    assert two.weight == 1.0 and two.interval_s == 5400
    assert two.options == {
        "fetch_pages": True,
        "delay": 5,
        "max_items": 20,
        "site_url": "https://press.example.net/",
    }


def test_repository_sources_yaml_is_valid_and_large_enough() -> None:
    specs = load_sources(REPO / "sources.yaml")
    assert len(specs) >= 30
    tags = {t for s in specs for t in s.tags}
    for needed in ("lab", "press", "chips", "regulation", "research", "workforce"):
        assert needed in tags, needed
    assert all(s.url.startswith("https://") for s in specs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5s", 5),
        ("30m", 1800),
        ("2h", 7200),
        ("1d", 86400),
        ("1h30m", 5400),
        (" 45 ", 45),
        (90, 90),
    ],
)
def test_parse_duration(text: str | int, expected: int) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["", "soon", "5x", "m5", "1h junk", "-5s", True, None, -3])
def test_parse_duration_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (entry(url="not-a-url"), "sources[0].url: not a URL"),
        (entry(url="ftp://x.example.org/f"), "sources[0].url: not a URL"),
        (entry(weight="heavy"), "sources[0].weight: must be a number"),
        (entry(weight=-1), "sources[0].weight: must be >= 0"),
        (entry(weight=".nan"), "sources[0].weight: must be a number"),
        (entry(weight="true"), "sources[0].weight: must be a number"),
        (entry(urll="https://x.example.org"), "sources[0]: unknown key 'urll'"),
        (entry(slug="'Open AI'"), "sources[0].slug: bad characters in 'Open AI'"),
        (entry(kind="html"), "sources[0].kind: must be one of rss, atom, rdf, jsonfeed, auto"),
        (entry(interval="soon"), "sources[0].interval: not a duration: 'soon'"),
        (entry(interval="0s"), "sources[0].interval: must be at least 1s"),
        (entry(tags="lab"), "sources[0].tags: must be a list of non-empty strings"),
        (entry(options="{fetchpages: false}"), "sources[0].options: unknown key 'fetchpages'"),
        (entry(options="{max_items: 0}"), "sources[0].options.max_items: must be a whole number"),
        (entry(options="{fetch_pages: maybe}"), "sources[0].options.fetch_pages: must be true"),
        (entry(options="{delay: later}"), "sources[0].options.delay: not a duration"),
        (entry(options="[1, 2]"), "sources[0].options: must be a mapping"),
        ("  - just a string\n", "sources[0]: must be a mapping"),
    ],
)
def test_each_problem_names_entry_and_field(tmp_path: Path, body: str, expected: str) -> None:
    problems = problems_of(tmp_path, "sources:\n" + body)
    assert any(p.startswith(expected) for p in problems), problems


def test_missing_required_fields(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "sources:\n  - kind: rss\n")
    assert problems == [
        "sources[0].slug: missing",
        "sources[0].name: missing",
        "sources[0].url: missing",
    ]


def test_all_problems_are_collected_with_their_index(tmp_path: Path) -> None:
    text = (
        "sources:\n"
        + entry()
        + entry(slug="two", url="nope")
        + entry(slug="ok", url="https://three.example.org/f", weight="x")
    )
    problems = problems_of(tmp_path, text)
    assert "sources[1].url: not a URL" in problems
    assert "sources[2].slug: duplicate slug 'ok' (also sources[0])" in problems
    assert "sources[2].weight: must be a number" in problems
    assert len(problems) == 3


def test_duplicate_url_is_rejected(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "sources:\n" + entry() + entry(slug="again"))
    assert problems == ["sources[1].url: same feed as sources[0]"]


def test_unknown_keys_rejected_at_every_level(tmp_path: Path) -> None:
    text = "defaults:\n  wieght: 2\n  options: {retries: 3}\nsource: []\nsources:\n" + entry()
    problems = problems_of(tmp_path, text)
    assert "defaults: unknown key 'wieght'" in problems
    assert any(p.startswith("defaults.options: unknown key 'retries'") for p in problems)
    assert any(p.startswith("unknown top-level key 'source'") for p in problems)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = "sources:\n  - slug: a\n    name: [unclosed\n    url: https://a.example.org\n"
    with pytest.raises(SourcesError) as info:
        load_sources(write(tmp_path, text))
    message = str(info.value)
    assert "sources.yaml" in message and "YAML syntax error" in message
    assert "line 4" in message


def test_duplicate_yaml_key_is_an_error_with_line(tmp_path: Path) -> None:
    text = "sources:\n  - slug: a\n    name: A\n    url: https://a.example.org/f\n    url: https://b.example.org/f\n"
    with pytest.raises(SourcesError) as info:
        load_sources(write(tmp_path, text))
    assert "line 5" in str(info.value) and "duplicate key 'url'" in str(info.value)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="sources file not found"):
        load_sources(tmp_path / "nope.yaml")
    assert problems_of(tmp_path, "") == ["the file is empty (expected a 'sources:' list)"]
    assert problems_of(tmp_path, "sources: []\n") == [
        "sources: must be a non-empty list of entries"
    ]
    assert problems_of(tmp_path, "- a\n- b\n") == [
        "top level must be a mapping with a 'sources:' list"
    ]


def spec(slug: str, url: str, **kw: object) -> SourceSpec:
    return SourceSpec(slug=slug, name=slug.title(), url=url, **kw)  # type: ignore[arg-type]


def test_sync_inserts_updates_and_deactivates(engine: Engine) -> None:
    a = spec("a", "https://a.example.org/f", tags=["lab"], interval_s=60, options={"delay": 2})
    b = spec("b", "https://b.example.org/f")
    with session_scope(engine) as session:
        rows = sync_sources(session, [a, b])
        assert [r.slug for r in rows] == ["a", "b"] and all(r.id for r in rows)
        b_id = rows[1].id
        session.add(
            Article(
                source_id=b_id,
                url="https://b.example.org/1",
                canonical_url="https://b.example.org/1",
                content_hash="h1",
            )
        )
    a2 = spec("a", "https://a.example.org/new", weight=3.0, tags=["lab", "models"])
    with session_scope(engine) as session:
        sync_sources(session, [a2])
    with session_scope(engine) as session:
        by_slug = {s.slug: s for s in session.exec(select(Source)).all()}
        assert by_slug["a"].url == "https://a.example.org/new"
        assert by_slug["a"].weight == 3.0 and by_slug["a"].tags == ["lab", "models"]
        assert by_slug["a"].interval_s is None and by_slug["a"].active
        assert by_slug["b"].active is False  # removed from the file: kept, inactive
        assert session.exec(select(Article).where(Article.source_id == b_id)).one()
    with session_scope(engine) as session:
        sync_sources(session, [a2, b])
    with session_scope(engine) as session:
        assert session.exec(select(Source).where(Source.slug == "b")).one().active is True
        assert len(session.exec(select(Source)).all()) == 2


def test_sync_is_idempotent(engine: Engine) -> None:
    specs = load_sources(REPO / "sources.yaml")
    with session_scope(engine) as session:
        sync_sources(session, specs)
    with session_scope(engine) as session:
        stamps = {s.slug: s.updated_at for s in session.exec(select(Source)).all()}
    with session_scope(engine) as session:
        sync_sources(session, specs)
    with session_scope(engine) as session:
        rows = session.exec(select(Source)).all()
        assert len(rows) == len(specs)
        assert {s.slug: s.updated_at for s in rows} == stamps


def test_empty_tags_and_options_mean_none(tmp_path: Path) -> None:
    (spec,) = load_sources(write(tmp_path, "sources:\n" + entry(tags="", options="")))
    assert spec.tags == [] and spec.options == {}
