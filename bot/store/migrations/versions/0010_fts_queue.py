"""SQLite full-text index fed from a queue: new articles are indexed in batches

Until now the insert trigger added every new article to ``articles_fts`` in the transaction
that stored it: one FTS5 segment per feed, and the segments were then merged again and again
(a first crawl of 100 feeds spent 1.7 CPU-s there; the same rows indexed in batches of 500 cost
0.8). An article whose page was extracted later was also indexed twice (feed text, then page).

Now the insert trigger only queues the article id in ``articles_fts_pending`` (same transaction:
a killed process loses nothing), and :func:`bot.archive.fts.index_pending` indexes the queue in
one statement: the crawl when 250 are waiting and at the end of the run, the importer per
batch, and search before it queries. Update and delete triggers touch the index only for rows
already in it; a queued row is indexed later with whatever text it has then.

PostgreSQL is unchanged (an expression GIN index, always current).

Revision ID: 0010_fts_queue
Revises: 0009_extraction_attempts
"""

from __future__ import annotations

from alembic import op

revision = "0010_fts_queue"
down_revision = "0009_extraction_attempts"
branch_labels = None
depends_on = None

_NOT_QUEUED = "old.id NOT IN (SELECT article_id FROM articles_fts_pending)"

SQLITE_UP = [
    "CREATE TABLE IF NOT EXISTS articles_fts_pending (article_id INTEGER PRIMARY KEY)",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO articles_fts_pending(article_id) VALUES (new.id);
    END""",
    f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, text ON articles
        WHEN {_NOT_QUEUED} BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
        INSERT INTO articles_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END""",
    f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        SELECT 'delete', old.id, old.title, old.summary, old.text WHERE {_NOT_QUEUED};
        DELETE FROM articles_fts_pending WHERE article_id = old.id;
    END""",
]

# Back to 0006's triggers: index whatever is still queued first.
SQLITE_DOWN = [
    """INSERT INTO articles_fts(rowid, title, summary, text)
        SELECT a.id, a.title, a.summary, a.text FROM articles AS a
        JOIN articles_fts_pending AS p ON p.article_id = a.id""",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TABLE IF EXISTS articles_fts_pending",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
    END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, text
        ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
        INSERT INTO articles_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for stmt in SQLITE_UP:
            op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for stmt in SQLITE_DOWN:
            op.execute(stmt)
