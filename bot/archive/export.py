"""``briefing export``: the archive (or a filtered part of it) as JSON lines, CSV or Markdown.

JSON lines use the field names ``briefing import`` reads (``id``, ``url``, ``title``, ``text``,
``published``, ``source``), so an export can be imported into another database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.archive.filters import SearchFilters, where_articles
from bot.errors import UsageError
from bot.progress import progress_bar
from bot.store.models import Article, ArticleSignal, Source, Story

FORMATS = ("jsonl", "csv", "md")
CSV_FIELDS = [
    "id", "url", "title", "published", "source", "topic", "label", "subtype", "confidence",
    "story_id", "summary", "text",
]  # fmt: skip
BATCH = 1000


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def count_articles(engine: Engine, filters: SearchFilters) -> int:
    """How many articles pass ``filters``."""
    cond = where_articles(filters)
    stmt = select(func.count()).select_from(Article)
    if cond is not None:
        stmt = stmt.where(cond)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def iter_articles(engine: Engine, filters: SearchFilters) -> Iterator[dict[str, Any]]:
    """Articles passing ``filters``, oldest first, as export records (keyset-paginated)."""
    cond = where_articles(filters)
    last_id = 0
    while True:
        stmt = (
            select(
                Article,
                col(Source.slug),
                ArticleSignal,
                col(Story.primary_topic),
                col(Story.label),
            )
            .outerjoin(Source, col(Source.id) == col(Article.source_id))
            .outerjoin(ArticleSignal, col(ArticleSignal.article_id) == col(Article.id))
            .outerjoin(Story, col(Story.id) == col(Article.story_id))
            .where(col(Article.id) > last_id)
            .order_by(col(Article.id))
            .limit(BATCH)
        )
        if cond is not None:
            stmt = stmt.where(cond)
        from sqlmodel import Session

        with Session(engine) as session:
            rows = session.execute(stmt).all()
        if not rows:
            return
        for art, slug, sig, story_topic, story_label in rows:
            yield {
                "id": art.id,
                "url": art.url,
                "title": art.title,
                "published": _iso(art.published_at),
                "source": slug,
                "topic": (sig.primary_topic if sig else None) or story_topic,
                "label": (sig.label if sig else None) or story_label,
                "subtype": sig.subtype if sig else None,
                "confidence": sig.confidence if sig else None,
                "story_id": art.story_id,
                "summary": art.summary,
                "text": art.text,
            }
        last_id = rows[-1][0].id


def _md_line(rec: dict[str, Any]) -> str:
    title = (rec["title"] or rec["url"]).replace("[", "\\[").replace("]", "\\]")
    bits = [
        b for b in (rec["source"], (rec["published"] or "")[:10], rec["label"], rec["topic"]) if b
    ]
    return f"- [{title}](<{rec['url']}>)" + (f" — {', '.join(bits)}" if bits else "")


def export_articles(
    engine: Engine,
    out: IO[str],
    *,
    fmt: str = "jsonl",
    filters: SearchFilters | None = None,
    progress: bool | None = None,
) -> int:
    """Write the filtered archive to ``out`` in ``fmt``; returns the number of articles written."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    filters = filters or SearchFilters()
    total = count_articles(engine, filters) if progress is not False else None
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
    elif fmt == "md":
        out.write("# Archive export\n\n")
    n = 0
    with progress_bar(total, "export", enabled=progress) as advance:
        for rec in iter_articles(engine, filters):
            if writer is not None:
                writer.writerow(rec)
            elif fmt == "md":
                out.write(_md_line(rec) + "\n")
            else:
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
            advance(1)
    return n
