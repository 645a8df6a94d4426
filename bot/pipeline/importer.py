"""`briefing import`: load articles from JSON lines, with the crawler's identity rules, no network.

Each record: ``url`` (http/https), ``title``, ``text`` (strings), optional ``published`` (ISO
8601), ``source`` (a source slug or name; unknown ones get an inactive ``import`` source row) and
``id`` (an external id, matched first). Bad records are reported with their line number; the
others are still imported, each batch in one transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.archive.fts import index_pending
from bot.pipeline.identity import Candidate, IdentityIndex, upsert_candidate
from bot.pipeline.jsonfeed import parse_iso_datetime
from bot.store.db import session_scope
from bot.store.models import Source, utcnow

BATCH = 500
MAX_ERRORS_KEPT = 100


class RecordError(ValueError):
    """One record is unusable; the message says which field and why."""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower()).strip("-")[:60] or "import"


def validate_record(record: Any) -> tuple[Candidate, str | None]:
    """A Candidate and the source name from one record; RecordError names the bad field."""
    if not isinstance(record, dict):
        raise RecordError("expected a JSON object")
    url = record.get("url")
    if not isinstance(url, str) or not url.strip().lower().startswith(("http://", "https://")):
        raise RecordError("url: required, an http(s) URL")
    for key in ("title", "text"):
        if not isinstance(record.get(key), str):
            raise RecordError(f"{key}: required, a string")
    if not (record["title"].strip() or record["text"].strip()):
        raise RecordError("title and text are both empty")
    published = None
    if record.get("published") not in (None, ""):
        published = parse_iso_datetime(record["published"])
        if published is None:
            raise RecordError(f"published: not an ISO 8601 date: {record['published']!r}")
    source = record.get("source")
    if source is not None and not isinstance(source, str):
        raise RecordError("source: must be a string")
    ext = record.get("id")
    if ext is not None and not isinstance(ext, str | int):
        raise RecordError("id: must be a string or an integer")
    text = record["text"].strip()
    cand = Candidate(
        url=url.strip(),
        title=record["title"].strip(),
        text=text,
        external_id=str(ext) if ext is not None else None,
        summary=text[:1000],
        author=record.get("author") if isinstance(record.get("author"), str) else None,
        published_at=published,
    )
    return cand, (source.strip() or None) if source else None


def _source_id(session: Session, name: str | None, cache: dict[str, int | None]) -> int | None:
    if not name:
        return None
    if name not in cache:
        slug = _slug(name)
        row = session.exec(select(Source).where(Source.slug == slug)).first()
        if row is None:
            now = utcnow()
            row = Source(
                slug=slug, name=name, url="", kind="import", active=False,
                created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(row)
            session.flush()
        cache[name] = row.id
    return cache[name]


def _store_batch(engine: Engine, batch: list[tuple[Candidate, str | None]], counts: dict) -> None:
    with session_scope(engine) as session:
        cache: dict[str, int | None] = {}
        by_source: dict[int | None, list[Candidate]] = {}
        for cand, source in batch:
            by_source.setdefault(_source_id(session, source, cache), []).append(cand)
        for source_id, cands in by_source.items():
            index = IdentityIndex(session, source_id, cands)
            for cand in cands:
                status, _ = upsert_candidate(
                    index, cand, text_source="import", extraction_status="skipped",
                    extraction_reason="imported",
                )  # fmt: skip
                counts[status] += 1
            index.flush()
        index_pending(session.connection())  # searchable once the batch is committed


def import_articles(engine: Engine, records: Iterable[Any]) -> dict[str, Any]:
    """Import records (dicts; a RecordError instance stands for an unreadable line).

    Returns ``{"new", "updated", "unchanged", "failed", "errors": [{"line", "error"}]}``; line
    numbers count records from 1.
    """
    counts: dict[str, Any] = {"new": 0, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}
    batch: list[tuple[Candidate, str | None]] = []
    for number, record in enumerate(records, start=1):
        if record is None:
            continue  # a blank line
        try:
            if isinstance(record, RecordError):
                raise record
            batch.append(validate_record(record))
        except RecordError as exc:
            counts["failed"] += 1
            if len(counts["errors"]) < MAX_ERRORS_KEPT:
                counts["errors"].append({"line": number, "error": str(exc)})
            continue
        if len(batch) >= BATCH:
            _store_batch(engine, batch, counts)
            batch = []
    if batch:
        _store_batch(engine, batch, counts)
    return counts


def read_json_lines(lines: Iterable[str]) -> Iterator[Any]:
    """Records of a JSON-lines stream: a dict per line, None for blank lines, RecordError if bad."""
    for line in lines:
        if not line.strip():
            yield None
            continue
        try:
            yield json.loads(line)
        except ValueError as exc:
            yield RecordError(f"not valid JSON: {exc}")
