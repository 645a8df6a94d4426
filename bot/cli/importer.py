"""`briefing import FILE.jsonl|-`: load articles from JSON lines (no network)."""

from __future__ import annotations

import json
import sys

import click

from bot.cli import AppContext, pass_app
from bot.errors import InputError


@click.command("import")
@click.argument("path", metavar="FILE.jsonl|-")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@pass_app
def import_command(app: AppContext, path: str, as_json: bool) -> None:
    """Import articles (url, title, text, optional published, source, id) from JSON lines."""
    from bot.pipeline.importer import import_articles, read_json_lines

    if path == "-":
        summary = import_articles(app.engine, read_json_lines(sys.stdin))
    else:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                summary = import_articles(app.engine, read_json_lines(handle))
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    for err in summary["errors"]:
        click.echo(f"briefing: {path}: line {err['line']}: {err['error']}", err=True)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"imported: new={summary['new']} updated={summary['updated']} "
            f"unchanged={summary['unchanged']} failed={summary['failed']}"
        )
    if summary["failed"]:
        records = summary["new"] + summary["updated"] + summary["unchanged"] + summary["failed"]
        raise InputError(f"{summary['failed']} of {records} records failed (see above)")


def register(group: click.Group) -> None:
    """Add `import` to the CLI."""
    group.add_command(import_command)
