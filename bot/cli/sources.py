"""`briefing sources list|check|import-opml|export-opml`: the feed list in sources.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli import AppContext, pass_app


@click.group("sources")
def sources_group() -> None:
    """The feed list (BRIEFING_SOURCES, default ./sources.yaml)."""


@sources_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of sources.")
@pass_app
def list_cmd(app: AppContext, as_json: bool) -> None:
    """List the sources in the sources file."""
    from bot.sources import format_duration, load_sources

    specs = load_sources(app.settings.sources_path)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in specs], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped: do not fold URLs at 80 columns
    table = Table(title=f"{app.settings.sources_path}: {len(specs)} sources", title_justify="left")
    table.add_column("slug", no_wrap=True)
    for column in ("kind", "weight", "every", "tags"):
        table.add_column(column)
    table.add_column("url", overflow="fold")
    for s in specs:
        every = format_duration(s.interval_s) if s.interval_s else "-"
        table.add_row(s.slug, s.kind, f"{s.weight:g}", every, ", ".join(s.tags), s.url)
    console.print(table)


@sources_group.command("check")
@click.option("--fetch", is_flag=True, help="Also fetch each feed once and report status/entries.")
@click.option("--source", "slugs", multiple=True, help="With --fetch: only this slug (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def check_cmd(app: AppContext, fetch: bool, slugs: tuple[str, ...], as_json: bool) -> None:
    """Validate the sources file (exit code 2 naming every bad entry and field)."""
    from bot.sources_check import check_sources

    result = check_sources(app.settings, fetch=fetch, slugs=list(slugs) or None)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(f"{result['path']}: {result['count']} sources, valid")
        for row in result.get("fetched", []):
            status = row["status"] if row["status"] is not None else "-"
            detail = f"entries={row['entries']}" if row["ok"] else f"error={row['error']}"
            click.echo(f"  {row['slug']:<28} {status!s:>4}  {detail}")
    failed = [row for row in result.get("fetched", []) if not row["ok"]]
    if failed:
        from bot.errors import BotError

        names = ", ".join(f"{row['slug']} ({row['error']})" for row in failed)
        raise BotError(f"{len(failed)} of {len(result['fetched'])} feeds failed: {names}")


@sources_group.command("import-opml")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--merge", is_flag=True, help="Add the OPML's new feeds to the existing file.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this file instead of BRIEFING_SOURCES.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was added and skipped as JSON.")
@pass_app
def import_cmd(app: AppContext, file: str, merge: bool, output: Path | None, as_json: bool) -> None:
    """Import feeds from an OPML file into the sources file (duplicates by URL are skipped)."""
    from bot.opml import import_opml

    target = output or app.settings.sources_path
    result = import_opml(file, target, merge=merge)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{target}: added {len(result.added)} sources, skipped {len(result.skipped)}")
    for spec in result.added:
        click.echo(f"  + {spec.slug:<28} {spec.url}")
    for skip in result.skipped:
        click.echo(f"  - {skip['title']}: {skip['reason']}", err=True)


@sources_group.command("export-opml")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def export_cmd(app: AppContext, file: Path | None) -> None:
    """Export the sources as OPML 2.0 (to FILE, or stdout)."""
    from bot.opml import export_opml
    from bot.sources import load_sources

    text = export_opml(load_sources(app.settings.sources_path))
    if file is None:
        click.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        click.echo(f"wrote {file}", err=True)


def register(group: click.Group) -> None:
    """Add the `sources` command group."""
    group.add_command(sources_group)
