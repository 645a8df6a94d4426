"""`briefing show ID` and `briefing export`: one archive item in full, or the archive as a file.

Exit codes: 0 success (also an empty result); 1 unknown id or database problem; 2 bad
arguments (an unparseable --since/--until names the flag, a malformed ID).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, cast

import click

from bot.cli import AppContext, pass_app


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The archive filters shared by search and export."""
    opts = [
        click.option("--topic", help="Only this topic (models, agents, investment, chips, ...)."),
        click.option("--label", help="Only this label: deployment (or deployed), hype, neither."),
        click.option("--source", help="Only this source slug."),
        click.option("--since", help="Published at or after: 2d, 12h, 3w or 2026-01-31."),
        click.option("--until", help="Published at or before: 1d or 2026-01-31 (whole day)."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def print_record(record: dict[str, Any]) -> None:
    """A show record on a terminal: a header, the fields and the text or the articles."""
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    kind = "Story" if record["type"] == "story" else "Article"
    console.print(f"[bold]{kind} {record['id']}[/bold]: {escape(record['title'] or '')}")
    skip = {"id", "type", "title", "text", "articles", "summary", "evidence"}
    for key, value in record.items():
        if key in skip or value in (None, [], ""):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        console.print(f"  [dim]{key}:[/dim] {escape(shown)}")
    for ev in record.get("evidence") or []:
        console.print(f"  [dim]evidence:[/dim] {escape(str(ev))}")
    if record["type"] == "story":
        for art in record["articles"]:
            date = (art["published"] or "")[:10]
            console.print(
                f"  - a{art['id']} {date} {escape(art['source'] or '-')}: "
                f"{escape(art['title'] or '')} {escape(art['url'])}"
            )
    else:
        body = record.get("text") or record.get("summary") or ""
        if body:
            console.print()
            console.print(escape(body))


@click.command("show")
@click.argument("item_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@pass_app
def show_cmd(app: AppContext, item_id: str, as_json: bool) -> None:
    """Show an article (123, a123) or a story (s123, story:123) from the archive."""
    from bot.archive import database_errors
    from bot.archive.show import parse_item_id, show_item

    parse_item_id(item_id)  # a malformed id fails before the database is opened
    with database_errors():
        record = show_item(app.engine, item_id)
    if as_json:
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        print_record(record)


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "md"]),
    default="jsonl",
    show_default=True,
    help="jsonl (re-importable with `briefing import`), csv or md.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of stdout.",
)
@filter_options
@pass_app
def export_cmd(app: AppContext, fmt: str, output: str | None, **filters: str | None) -> None:
    """Export the archive (or the filtered part of it) oldest first."""
    from bot.archive import database_errors
    from bot.archive.export import export_articles
    from bot.archive.filters import SearchFilters

    # the click options are all strings; mypy cannot match **dict values to each parameter
    parsed = SearchFilters.from_options(**cast(dict[str, Any], filters))
    with database_errors():
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                n = export_articles(app.engine, fh, fmt=fmt, filters=parsed)
        else:
            n = export_articles(app.engine, sys.stdout, fmt=fmt, filters=parsed, progress=False)
    where = f" to {output}" if output else ""
    click.echo(f"exported {n} articles{where}", err=True)


def register(group: click.Group) -> None:
    """Add `show` and `export`."""
    group.add_command(show_cmd)
    group.add_command(export_cmd)
