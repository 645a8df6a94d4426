"""Keyword search: SQLite FTS5 (bm25) or PostgreSQL full-text search (ts_rank_cd).

On SQLite new articles reach the index through a queue (``articles_fts_pending``, migration
0010): :func:`index_pending` indexes it in one statement, which costs half of indexing the same
rows one feed's transaction at a time. Writers call it (the crawl every ``FTS_BATCH_ROWS`` new
articles and at the end of a run, the importer per batch) and so does search, before it queries.

User queries are never passed through as query syntax: they are split into terms and
quoted phrases, and each is quoted for FTS5 (or handed to ``websearch_to_tsquery`` on
PostgreSQL, which accepts any input). Characters such as ``"``, ``*``, ``NEAR``, ``:`` or
unbalanced quotes are therefore plain text and never an error.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import ColumnClause, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from bot.archive.filters import SearchFilters, where_articles
from bot.store.models import Article

log = logging.getLogger(__name__)
_TOKEN = re.compile(r"\w+", re.UNICODE)
FTS_BATCH_ROWS = 250  # the crawl indexes the queue once this many new articles wait
# Columns as the index sees them (the view of migration 0010: no summary repeating the text)
_INDEX_QUEUED = text(
    "INSERT INTO articles_fts(rowid, title, summary, text) "
    "SELECT s.id, s.title, s.summary, s.text FROM articles_fts_source AS s "
    "JOIN articles_fts_pending AS p ON p.article_id = s.id"
)
PG_TSVECTOR = (
    "to_tsvector('english'::regconfig, coalesce(articles.title, '') || ' ' || "
    "coalesce(articles.summary, '') || ' ' || coalesce(articles.text, ''))"
)


def index_pending(conn: Connection, min_rows: int = 1) -> int:
    """Index the queued articles in the caller's transaction if at least ``min_rows`` wait.

    Returns how many were indexed. A no-op on PostgreSQL, whose index is always current.
    """
    if conn.dialect.name != "sqlite":
        return 0
    waiting = int(conn.execute(text("SELECT count(*) FROM articles_fts_pending")).scalar() or 0)
    if waiting < max(1, min_rows):
        return 0
    conn.execute(_INDEX_QUEUED)
    conn.execute(text("DELETE FROM articles_fts_pending"))
    return waiting


def index_pending_now(engine: Engine) -> int:
    """Index the queue in a transaction of its own; a locked or read-only database is logged
    and left for the next writer (search then misses only the newest articles)."""
    if engine.dialect.name != "sqlite":
        return 0
    try:
        with engine.begin() as conn:
            return index_pending(conn)
    except OperationalError as exc:
        log.warning("full-text queue not indexed now: %s", exc)
        return 0


def split_query(query: str) -> list[str]:
    """Terms of a query: balanced ``"quoted phrases"`` stay phrases; everything else is words."""
    parts: list[str] = []
    rest = query
    if query.count('"') >= 2:
        for m in re.finditer(r'"([^"]*)"', query):
            words = _TOKEN.findall(m.group(1))
            if words:
                parts.append(" ".join(words))
        rest = re.sub(r'"[^"]*"', " ", query)
    parts.extend(_TOKEN.findall(rest))
    return parts


def query_terms(query: str) -> list[str]:
    """The single words of a query (for highlighting)."""
    return [w for w in _TOKEN.findall(query) if len(w) > 1 or w.isdigit()]


def fts5_expression(query: str, op: str = "AND") -> str:
    """An FTS5 MATCH expression in which every user term is a quoted string."""
    quoted = ['"' + p.replace('"', '""') + '"' for p in split_query(query)]
    return f" {op} ".join(quoted)


def search_keyword(
    conn: Connection, query: str, filters: SearchFilters, limit: int
) -> list[tuple[int, float]]:
    """Up to ``limit`` (article_id, score) pairs, best first; empty when the query has no terms."""
    if not split_query(query):
        return []
    if conn.dialect.name == "sqlite":
        hits = _sqlite_search(conn, fts5_expression(query, "AND"), filters, limit)
        if not hits and len(split_query(query)) > 1:
            hits = _sqlite_search(conn, fts5_expression(query, "OR"), filters, limit)
        return hits
    return _pg_search(conn, query, filters, limit)


def keyword_matches(conn: Connection, query: str, cap: int) -> list[tuple[int, float]]:
    """FTS5 matches (article_id, bm25 score), unfiltered and unordered.

    All terms must match; when no article has them all, any term may. At most ``cap`` matches,
    the newest (highest ids) first: bm25 is then computed for those only, which bounds the cost
    of queries made of very common words.
    """
    if not split_query(query):
        return []
    sql = text(
        "SELECT rowid, bm25(articles_fts, 4.0, 2.0, 1.0) FROM articles_fts "
        "WHERE articles_fts MATCH :q ORDER BY rowid DESC LIMIT :cap"
    )
    hits: list[tuple[int, float]] = []
    for op in ("AND", "OR"):
        rows = conn.execute(sql, {"q": fts5_expression(query, op), "cap": cap}).all()
        hits = [(int(r[0]), -float(r[1])) for r in rows]
        if hits or len(split_query(query)) == 1:
            break
    return hits


def _sqlite_search(
    conn: Connection, expr: str, filters: SearchFilters, limit: int
) -> list[tuple[int, float]]:
    rank: ColumnClause[Any] = literal_column("bm25(articles_fts, 4.0, 2.0, 1.0)")
    stmt = (
        select(col(Article.id), rank)
        .select_from(
            Article.__table__.join(  # type: ignore[attr-defined]
                table("articles_fts", column("rowid")),
                literal_column("articles_fts.rowid") == Article.id,
            )
        )
        .where(text("articles_fts MATCH :q").bindparams(q=expr))
        .order_by(rank)
        .limit(limit)
    )
    cond = where_articles(filters)
    if cond is not None:
        stmt = stmt.where(cond)
    return [(int(r[0]), -float(r[1])) for r in conn.execute(stmt).all()]


def _pg_search(
    conn: Connection, query: str, filters: SearchFilters, limit: int
) -> list[tuple[int, float]]:
    parts = split_query(query)
    # websearch_to_tsquery accepts any text; quoted phrases keep their meaning.
    all_terms = " ".join(f'"{p}"' if " " in p else p for p in parts)
    any_term = " or ".join(f'"{p}"' if " " in p else p for p in parts)
    hits = _pg_run(conn, all_terms, filters, limit)
    if not hits and len(parts) > 1:
        hits = _pg_run(conn, any_term, filters, limit)
    return hits


def _pg_run(
    conn: Connection, websearch: str, filters: SearchFilters, limit: int
) -> list[tuple[int, float]]:
    tsv: ColumnClause[Any] = literal_column(PG_TSVECTOR)
    tsq = func.websearch_to_tsquery(
        literal_column("'english'::regconfig"), bindparam("q", websearch)
    )
    rank = func.ts_rank_cd(tsv, tsq)
    stmt = select(col(Article.id), rank).where(tsv.op("@@")(tsq)).order_by(rank.desc()).limit(limit)
    cond = where_articles(filters)
    if cond is not None:
        stmt = stmt.where(cond)
    return [(int(r[0]), float(r[1])) for r in conn.execute(stmt).all()]
