"""`briefing crawl`: fetch the sources' feeds and article pages once and print the run report."""

from __future__ import annotations

import json

import click

from bot.cli import AppContext, pass_app


@click.command("crawl")
@click.option(
    "--source", "slugs", multiple=True, metavar="SLUG", help="Crawl only this source (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run report as one JSON object.")
@pass_app
def crawl_command(app: AppContext, slugs: tuple[str, ...], as_json: bool) -> None:
    """Crawl the sources in BRIEFING_SOURCES once; store and print the run report."""
    from bot.pipeline.crawl import crawl_sources
    from bot.pipeline.crawl_report import format_report
    from bot.sources import load_sources

    load_sources(app.settings.sources_path)  # a broken file stops here, before the database opens
    report = crawl_sources(app.engine, app.settings, slugs=list(slugs) or None)
    click.echo(json.dumps(report, default=str) if as_json else format_report(report))


def register(group: click.Group) -> None:
    """Add `crawl` to the CLI."""
    group.add_command(crawl_command)
