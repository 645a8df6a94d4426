"""archive full-text search

SQLite: an external-content FTS5 table ``articles_fts`` over articles(title, summary, text), kept
in sync by triggers. PostgreSQL: an expression GIN index on the English tsvector of the same
columns (queried with ``websearch_to_tsquery``, which never raises on user syntax).

Revision ID: 0006_archive_fts
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0006_archive_fts"
down_revision = "0001"
branch_labels = None
depends_on = None

# Keep in sync with bot/archive/fts.py (PG_TSVECTOR): the planner only uses the index when the
# query repeats this expression exactly.
PG_TSVECTOR = (
    "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(summary, '') "
    "|| ' ' || coalesce(text, ''))"
)

SQLITE_UP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
        title, summary, text, content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF title, summary, text
        ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
        INSERT INTO articles_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END""",
    # Index whatever was stored before this migration.
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TABLE IF EXISTS articles_fts",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for stmt in SQLITE_UP:
            op.execute(stmt)
    elif dialect == "postgresql":
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_articles_fts_tsv ON articles USING gin ({PG_TSVECTOR})"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for stmt in SQLITE_DOWN:
            op.execute(stmt)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_fts_tsv")
