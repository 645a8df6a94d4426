"""`briefing status [--json]`: daemon, next and last runs, failures of the last day, pending work.

Exit codes: 0 always when the database can be read (a stopped daemon is a state, not an
error); 1 when the database cannot be opened.
"""

from __future__ import annotations

import json
from typing import Any

import click

from bot.cli import AppContext, pass_app


def print_status(status: dict[str, Any]) -> None:
    """The status as rich tables."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    d = status["daemon"]
    if d["running"]:
        pid = f" (pid {d['pid']}, since {d['started_at']})" if d["pid"] else ""
        console.print(f"daemon: [green]running[/green]{pid}")
    else:
        console.print("daemon: [yellow]not running[/yellow] (start it with `briefing serve`)")
    jobs = Table(title="jobs", title_justify="left")
    for col in ("job", "next run", "last run", "status", "error"):
        jobs.add_column(col)
    for job in status["jobs"]:
        last = job.get("last_run") or {}
        jobs.add_row(job["id"], job["next_run_at"] or "paused", last.get("finished_at") or "-",
                     last.get("status") or "-", (last.get("error") or "")[:80])  # fmt: skip
    if status["jobs"]:
        console.print(jobs)
    else:
        console.print("jobs: none scheduled yet")
    runs = Table(title="last stage runs", title_justify="left")
    for col in ("stage", "status", "started", "finished"):
        runs.add_column(col)
    for kind, run in status["last_runs"].items():
        if run:
            runs.add_row(kind, run["status"], run["started_at"] or "-", run["finished_at"] or "-")
        else:
            runs.add_row(kind, "never", "-", "-")
    console.print(runs)
    fails = status["failures_24h"]
    console.print(f"failures in the last 24 h: {fails['count']}")
    for f in fails["latest"][:5]:
        console.print(f"  {f['started_at']} {f['job'] or f['kind']}: {f['error'] or f['status']}")
    console.print("pending: " + ", ".join(f"{k}={v}" for k, v in status["pending"].items()))


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@pass_app
def status_cmd(app: AppContext, as_json: bool) -> None:
    """Show the daemon, next and last runs, failures and pending work."""
    from bot.archive import database_errors
    from bot.status import collect_status

    with database_errors():
        status = collect_status(app.engine, app.settings)
    if as_json:
        click.echo(json.dumps(status, indent=2, ensure_ascii=False))
    else:
        print_status(status)


def register(group: click.Group) -> None:
    """Add `status`."""
    group.add_command(status_cmd)
