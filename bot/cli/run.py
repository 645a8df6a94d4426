"""`briefing run`: the main job (crawl, cluster, classify, print the briefing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from bot.cli import AppContext, pass_app


def _summary(name: str, report: dict) -> str:  # type: ignore[type-arg]
    totals = report.get("totals", report)
    parts = [
        f"{k}={v}"
        for k, v in totals.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return f"{name}: " + " ".join(parts)


@click.command("run")
@click.option("--source", "slugs", multiple=True, metavar="SLUG", help="Crawl only these sources.")
@click.option(
    "--since",
    default=None,
    help="Briefing period start (2d, 12h, 2026-01-31); default: since the last one.",
)
@click.option(
    "--no-briefing", is_flag=True, help="Stop after crawling, clustering and classifying."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object: stage reports and the digest."
)
@pass_app
def run_cmd(
    app: AppContext, slugs: tuple[str, ...], since: str | None, no_briefing: bool, as_json: bool
) -> None:
    """Crawl the sources, build stories, classify them and print the briefing."""
    from bot.pipeline.run import run_main_job
    from bot.timeparse import parse_when

    since_at = parse_when(since, flag="--since", now=datetime.now(UTC)) if since else None
    result = run_main_job(
        app.engine,
        app.settings,
        slugs=list(slugs) or None,
        since=since_at,
        build_briefing=not no_briefing,
    )
    if as_json:
        click.echo(json.dumps({"reports": result.reports, "digest": result.digest}, default=str))
        return
    for name, report in result.reports.items():
        click.echo(_summary(name, report), err=True)
    if result.markdown:
        click.echo(result.markdown)


def register(group: click.Group) -> None:
    """Add `run` to the CLI."""
    group.add_command(run_cmd)
