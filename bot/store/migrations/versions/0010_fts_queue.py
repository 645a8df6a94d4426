"""SQLite full-text index fed from a queue: new articles are indexed in batches

Until now the insert trigger added every new article to ``articles_fts`` in the transaction
that stored it: one FTS5 segment per feed, and the segments were then merged again and again
(a first crawl of 100 feeds spent 1.7 CPU-s there; the same rows indexed in batches of 500 cost
0.8). An article whose page was extracted later was also indexed twice (feed text, then page).

Now the insert trigger only queues the article id in ``articles_fts_pending`` (same transaction:
a killed process loses nothing), and :func:`bot.archive.fts.index_pending` indexes the queue in
one statement: the crawl when 250 are waiting and at the end of the run, the importer per
batch, and search before it queries. Update and delete triggers touch the index only for rows
already in it; a queued row is indexed later with whatever text it has then. The summary column
is indexed only where it differs from the text (most feed entries carry one field, stored in
both columns), through the view ``articles_fts_source``; the index is rebuilt once that way.

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
# The summary is indexed only when it is not the text itself (4 feed entries in 5 carry one
# field, which both columns keep): a third less to tokenise. The index reads its columns through
# the view, so FTS5's rebuild and integrity-check see exactly what the triggers index.
_SUMMARY = "CASE WHEN {0}.summary = {0}.text THEN '' ELSE {0}.summary END"
TOKENIZE = "porter unicode61 remove_diacritics 2"

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TABLE IF EXISTS articles_fts",
    "CREATE TABLE IF NOT EXISTS articles_fts_pending (article_id INTEGER PRIMARY KEY)",
    f"""CREATE VIEW IF NOT EXISTS articles_fts_source AS
        SELECT id, title, {_SUMMARY.format("articles")} AS summary, text FROM articles""",
    f"""CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, text, content='articles_fts_source', content_rowid='id',
        tokenize='{TOKENIZE}')""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO articles_fts_pending(article_id) VALUES (new.id);
    END""",
    f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, text ON articles
        WHEN {_NOT_QUEUED} BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, {_SUMMARY.format("old")}, old.text);
        INSERT INTO articles_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, {_SUMMARY.format("new")}, new.text);
    END""",
    f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        SELECT 'delete', old.id, old.title, {_SUMMARY.format("old")}, old.text
        WHERE {_NOT_QUEUED};
        DELETE FROM articles_fts_pending WHERE article_id = old.id;
    END""",
]

# Back to 0006: the index over the articles table itself, kept by its three triggers.
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_source",
    "DROP TABLE IF EXISTS articles_fts_pending",
    f"""CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, text, content='articles', content_rowid='id', tokenize='{TOKENIZE}')""",
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
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for stmt in SQLITE_UP:
            op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for stmt in SQLITE_DOWN:
            op.execute(stmt)
