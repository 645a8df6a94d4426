"""sources.yaml: load and validate the feed list, and sync it into the ``sources`` table.

File layout (the repository's sources.yaml is the full example)::

    defaults: {kind: auto, weight: 1.0, tags: [], interval: 30m, options: {}}   # optional
    sources:
      - slug: openai-news        # required, [a-z0-9][a-z0-9_-]*, unique
        name: OpenAI News        # required
        url: https://openai.com/news/rss.xml   # required, http(s)
        kind: rss                # rss | atom | rdf | jsonfeed | auto
        weight: 2.0              # number >= 0
        tags: [lab, models]
        interval: 1h             # optional; 5s, 30m, 2h, 1d, 1h30m
        options: {max_items: 50, delay: 2s}

Per-source ``options`` (read by the crawler; any other key is an error):

- ``fetch_pages`` (bool, default true): fetch each new item's page for its full text
- ``max_items`` (int >= 1): read at most this many entries of the feed per fetch
- ``delay`` (duration): minimum gap between two requests to this source's host
- ``timeout`` (duration): read timeout for this source's requests
- ``site_url`` (URL): the site's home page (OPML ``htmlUrl``; never fetched)

Durations are normalised to whole seconds (``options["delay"] == 2`` for ``delay: 2s``).
An entry's keys replace the defaults, except ``options``, which is merged key by key. Every
problem is collected before anything is raised, each naming its entry and field exactly
(``sources[3].url: not a URL``), and nothing is written to the database unless the whole file
is valid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlmodel import Session, select

from bot.errors import SourcesError
from bot.store.models import Source, utcnow

KINDS = ("rss", "atom", "rdf", "jsonfeed", "auto")
ENTRY_KEYS = ("slug", "name", "url", "kind", "weight", "tags", "interval", "options")
DEFAULT_KEYS = ("kind", "weight", "tags", "interval", "options")
TOP_KEYS = ("defaults", "sources")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DURATION_PART = re.compile(r"(\d+)\s*([smhd])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass
class SourceSpec:
    """One validated entry of sources.yaml."""

    slug: str
    name: str
    url: str
    kind: str = "auto"
    weight: float = 1.0
    tags: list[str] = field(default_factory=list)
    interval_s: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def to_entry(self) -> dict[str, Any]:
        """The entry as it is written to sources.yaml (durations as ``<n>s``)."""
        entry: dict[str, Any] = {
            "slug": self.slug,
            "name": self.name,
            "url": self.url,
            "kind": self.kind,
            "weight": self.weight,
            "tags": list(self.tags),
        }
        if self.interval_s is not None:
            entry["interval"] = format_duration(self.interval_s)
        if self.options:
            opts = dict(self.options)
            for key in ("delay", "timeout"):
                if key in opts:
                    opts[key] = format_duration(int(opts[key]))
            entry["options"] = opts
        return entry

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (interval in seconds)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "url": self.url,
            "kind": self.kind,
            "weight": self.weight,
            "tags": list(self.tags),
            "interval_s": self.interval_s,
            "options": dict(self.options),
        }


def parse_duration(value: str | int | float) -> int:
    """Seconds in a duration: ``"30m"`` -> 1800; also ``"1h30m"``, ``"5s"``, ``"2d"`` or a number."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"negative duration: {value!r}")
        return int(value)
    if not isinstance(value, str):
        raise ValueError(f"not a duration: {value!r}")
    text = value.strip().lower()
    if text.isdigit():
        return int(text)
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        raise ValueError(f"not a duration: {value!r} (use e.g. 5s, 30m, 2h, 1d)")
    return sum(int(n) * _UNIT_S[unit] for n, unit in parts)


def format_duration(seconds: int) -> str:
    """The shortest exact spelling: 1800 -> ``"30m"``, 90 -> ``"90s"``."""
    for unit in ("d", "h", "m"):
        if seconds and seconds % _UNIT_S[unit] == 0:
            return f"{seconds // _UNIT_S[unit]}{unit}"
    return f"{seconds}s"


def is_http_url(value: Any) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# ------------------------------------------------------------------ validation helpers


def _check_bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("must be true or false")
    return v


def _check_positive_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError("must be a whole number >= 1")
    return v


def _check_duration(v: Any) -> int:
    try:
        return parse_duration(v)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _check_url(v: Any) -> str:
    if not is_http_url(v):
        raise ValueError("not a URL")
    return str(v)


_OPTION_CHECKS: dict[str, Callable[[Any], Any]] = {
    "fetch_pages": _check_bool,
    "max_items": _check_positive_int,
    "delay": _check_duration,
    "timeout": _check_duration,
    "site_url": _check_url,
}


class _Problems(list[str]):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys in a mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def _validate_fields(
    raw: dict[str, Any], where: str, problems: _Problems, allowed: Iterable[str]
) -> dict[str, Any]:
    """Check the keys shared by entries and defaults; return the normalised values present."""
    out: dict[str, Any] = {}
    for key in raw:
        if key not in allowed:
            problems.add(where, f"unknown key {key!r}")
    if "kind" in raw:
        if raw["kind"] in KINDS:
            out["kind"] = raw["kind"]
        else:
            problems.add(
                f"{where}.kind", f"must be one of {', '.join(KINDS)} (got {raw['kind']!r})"
            )
    if "weight" in raw:
        w = raw["weight"]
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
            problems.add(f"{where}.weight", "must be a number")
        elif w < 0:
            problems.add(f"{where}.weight", "must be >= 0")
        else:
            out["weight"] = float(w)
    if "tags" in raw:
        tags = [] if raw["tags"] is None else raw["tags"]  # `tags:` left empty
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            problems.add(f"{where}.tags", "must be a list of non-empty strings")
        else:
            out["tags"] = list(dict.fromkeys(t.strip() for t in tags))
    if "interval" in raw:
        try:
            seconds = parse_duration(raw["interval"])
            if seconds < 1:
                raise ValueError("must be at least 1s")
            out["interval_s"] = seconds
        except ValueError as exc:
            problems.add(f"{where}.interval", str(exc))
    if "options" in raw:
        opts = {} if raw["options"] is None else raw["options"]  # `options:` left empty
        if not isinstance(opts, dict):
            problems.add(f"{where}.options", "must be a mapping")
        else:
            clean: dict[str, Any] = {}
            for name, value in opts.items():
                check = _OPTION_CHECKS.get(name)
                if check is None:
                    problems.add(
                        f"{where}.options",
                        f"unknown key {name!r} (allowed: {', '.join(_OPTION_CHECKS)})",
                    )
                    continue
                try:
                    clean[name] = check(value)
                except ValueError as exc:
                    problems.add(f"{where}.options.{name}", str(exc))
            out["options"] = clean
    return out


def parse_sources(data: Any) -> list[SourceSpec]:
    """Validate loaded YAML data; raise SourcesError listing every problem."""
    problems = _Problems()
    if data is None:
        raise SourcesError("the file is empty (expected a 'sources:' list)")
    if not isinstance(data, dict):
        raise SourcesError("top level must be a mapping with a 'sources:' list")
    for key in data:
        if key not in TOP_KEYS:
            problems.append(f"unknown top-level key {key!r} (allowed: defaults, sources)")
    defaults: dict[str, Any] = {}
    if "defaults" in data:
        if isinstance(data["defaults"], dict):
            defaults = _validate_fields(data["defaults"], "defaults", problems, DEFAULT_KEYS)
        else:
            problems.append("defaults: must be a mapping")
    entries = data.get("sources")
    if not isinstance(entries, list) or not entries:
        problems.append("sources: must be a non-empty list of entries")
        raise SourcesError(problems)
    specs: list[SourceSpec] = []
    slugs: dict[str, int] = {}
    urls: dict[str, int] = {}
    for i, raw in enumerate(entries):
        where = f"sources[{i}]"
        if not isinstance(raw, dict):
            problems.add(where, "must be a mapping with slug, name and url")
            continue
        before = len(problems)
        for required in ("slug", "name", "url"):
            if required not in raw or raw[required] in (None, ""):
                problems.add(f"{where}.{required}", "missing")
        slug, name, url = raw.get("slug"), raw.get("name"), raw.get("url")
        if "slug" in raw and slug not in (None, ""):
            if not isinstance(slug, str) or not SLUG_RE.match(slug):
                problems.add(
                    f"{where}.slug",
                    f"bad characters in {slug!r} (use a-z, 0-9, '-' and '_', at most 64)",
                )
            elif slug in slugs:
                problems.add(
                    f"{where}.slug", f"duplicate slug {slug!r} (also sources[{slugs[slug]}])"
                )
            else:
                slugs[slug] = i
        if name not in (None, "") and not isinstance(name, str):
            problems.add(f"{where}.name", "must be a string")
        if url not in (None, ""):
            if not is_http_url(url):
                problems.add(f"{where}.url", "not a URL")
            elif url in urls:
                problems.add(f"{where}.url", f"same feed as sources[{urls[url]}]")
            else:
                urls[url] = i
        values = _validate_fields(raw, where, problems, ENTRY_KEYS)
        if len(problems) > before:
            continue
        merged_options = {**defaults.get("options", {}), **values.get("options", {})}
        specs.append(
            SourceSpec(
                slug=str(slug),
                name=str(name).strip(),
                url=str(url),
                kind=values.get("kind", defaults.get("kind", "auto")),
                weight=values.get("weight", defaults.get("weight", 1.0)),
                tags=list(values.get("tags", defaults.get("tags", []))),
                interval_s=values.get("interval_s", defaults.get("interval_s")),
                options=merged_options,
            )
        )
    if problems:
        raise SourcesError(problems)
    return specs


def load_yaml(path: Path | str) -> Any:
    """Read a YAML file with duplicate keys refused; SourcesError names the line on bad syntax."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"sources file not found: {path}") from None
    except IsADirectoryError:
        raise SourcesError(f"sources file is a directory: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc}") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or str(exc)
        raise SourcesError(f"{at}YAML syntax error: {what}", path=str(path)) from None
    except yaml.YAMLError as exc:
        raise SourcesError(f"YAML syntax error: {exc}", path=str(path)) from None


def load_sources(path: Path | str) -> list[SourceSpec]:
    """Load and validate sources.yaml; raise SourcesError naming every bad entry and field."""
    data = load_yaml(path)
    try:
        return parse_sources(data)
    except SourcesError as exc:
        raise SourcesError(exc.problems, path=str(path)) from None


def sync_sources(session: Session, specs: list[SourceSpec]) -> list[Source]:
    """Upsert Source rows by slug; rows missing from ``specs`` become inactive (never deleted)."""
    now = utcnow()
    rows = {row.slug: row for row in session.exec(select(Source)).all()}
    wanted = {spec.slug for spec in specs}
    out: list[Source] = []
    for spec in specs:
        row = rows.get(spec.slug)
        values = spec.to_dict()
        if row is None:
            row = Source(**values, active=True, created_at=now, updated_at=now)
            session.add(row)
        else:
            changed = not row.active
            for key, value in values.items():
                if key != "slug" and getattr(row, key) != value:
                    setattr(row, key, value)
                    changed = True
            if changed:
                row.active = True
                row.updated_at = now
                session.add(row)
        out.append(row)
    for slug, row in rows.items():
        if slug not in wanted and row.active:
            row.active = False
            row.updated_at = now
            session.add(row)
    session.flush()
    return out
