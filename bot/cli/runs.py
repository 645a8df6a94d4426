"""`briefing runs`: past runs of the pipeline stages, newest first."""

from __future__ import annotations

import json

import click

from bot.cli import AppContext, pass_app


@click.command("runs")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of run reports.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--kind", default=None, help="Only runs of this stage (crawl, cluster, ...).")
@pass_app
def runs_command(app: AppContext, as_json: bool, limit: int, kind: str | None) -> None:
    """List past runs, newest first."""
    from bot.pipeline.crawl_report import format_counts, list_runs

    runs = list_runs(app.engine, limit=limit, kind=kind)
    if as_json:
        click.echo(json.dumps(runs, default=str))
        return
    if not runs:
        click.echo("no runs yet", err=True)
    for run in runs:
        totals = run.get("totals") or {}
        counts = format_counts(totals) if run.get("kind") == "crawl" and totals else ""
        started = (run.get("started_at") or "")[:19]
        duration = run.get("duration_s")
        took = f" {duration:.1f}s" if isinstance(duration, int | float) else ""
        line = (
            f"{run.get('run_id'):>5} {started} {run.get('kind', ''):<8} {run.get('status', ''):<11}"
        )
        click.echo(f"{line}{took} {counts}".rstrip())


def register(group: click.Group) -> None:
    """Add `runs` to the CLI."""
    group.add_command(runs_command)
