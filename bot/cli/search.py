"""`briefing search QUERY`: hybrid keyword + semantic search over the archive.

Data goes to stdout (a table on a terminal, or --json / --csv); notes such as "the archive
is empty" go to stderr. Exit codes: 0 success, including no results; 1 database or model
problem; 2 bad arguments (an unparseable --since names the flag).
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Any, cast

import click

from bot.cli import AppContext, pass_app
from bot.cli.archive import filter_options

CSV_FIELDS = ["id", "type", "score", "published", "source", "topic", "label", "title", "url",
              "snippet"]  # fmt: skip


def print_results(results: list[dict[str, Any]], query: str) -> None:
    """Results as a rich table, query terms highlighted in titles and snippets."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from bot.archive.fts import query_terms

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    terms = query_terms(query)
    table = Table(show_lines=True)
    for col, kw in (("id", {"no_wrap": True}), ("score", {}), ("date", {"no_wrap": True}),
                    ("source", {}), ("topic", {}), ("label", {}), ("title / snippet", {"ratio": 1})):  # fmt: skip
        table.add_column(col, **kw)
    for r in results:
        body = Text(r["title"] or r["url"], style="bold")
        if r["type"] == "story":
            body.append(f"  ({len(r['articles'])} matching of {r['n_articles']} articles)")
        snippet = r.get("snippet") or ""
        if snippet:
            body.append("\n" + snippet, style="default")
        body.highlight_words(terms, style="black on yellow", case_sensitive=False)
        table.add_row(str(r["id"]), f"{r['score']:.4f}", (r["published"] or "")[:10],
                      r["source"] or "-", r["topic"] or "-", r["label"] or "-", body)  # fmt: skip
    console.print(table)


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@filter_options
@click.option("--stories", "kind", flag_value="stories", help="Rank stories (grouped articles).")
@click.option(
    "--articles", "kind", flag_value="articles", default=True, help="Rank articles (default)."
)
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=10, show_default=True)
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]), default="hybrid",
              show_default=True, help="Ranking: both fused (default), or one side only.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of results.")
@click.option("--csv", "as_csv", is_flag=True, help="Print results as CSV.")
@pass_app
def search_cmd(
    app: AppContext, query: tuple[str, ...], kind: str, limit: int, mode: str,
    as_json: bool, as_csv: bool, **filters: str | None,
) -> None:  # fmt: skip
    """Search the archive: keyword and semantic search fused (reciprocal rank fusion)."""
    from bot.archive import database_errors
    from bot.archive.filters import SearchFilters
    from bot.archive.search import archive_size, search
    from bot.errors import UsageError

    if as_json and as_csv:
        raise UsageError("--json and --csv: choose one")
    text = " ".join(query)
    # the click options are all strings; mypy cannot match **dict values to each parameter
    parsed = SearchFilters.from_options(**cast(dict[str, Any], filters))
    with database_errors():
        if archive_size(app.engine) == 0:
            click.echo("briefing: the archive is empty (run `briefing crawl` first)", err=True)
            results: list[dict[str, Any]] = []
        else:
            results = search(app.engine, app.settings, text, filters=parsed,
                             stories=kind == "stories", limit=limit, mode=mode)  # fmt: skip
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(results)
    elif results:
        print_results(results, text)
    if not results:
        click.echo("briefing: no results", err=True)


def register(group: click.Group) -> None:
    """Add `search`."""
    group.add_command(search_cmd)
