"""Alembic environment: runs on the connection given by bot.store.db.migrate, or on a URL."""

from __future__ import annotations

from typing import cast

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata

# Shadow tables of full-text and vector search are managed by hand, not by autogenerate.
SHADOW_PREFIXES = ("articles_fts", "stories_fts", "apscheduler")


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name and name.startswith(SHADOW_PREFIXES))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    # Typed str only: an unset URL (None) still reaches create_engine, which raises ArgumentError.
    with create_engine(cast(str, url)).connect() as conn:
        _run(conn)
        conn.commit()
