"""`briefing serve`: the unattended daemon (crawls on each source's interval, digests on cron).

Exit codes: 0 stopped by SIGTERM/SIGINT after finishing the current item; 1 another daemon
already runs on this database (or the database is unusable); 2 bad configuration (sources.yaml,
crontab, time zone).
"""

from __future__ import annotations

import click

from bot.cli import AppContext, pass_app


@click.command("serve")
@pass_app
def serve_cmd(app: AppContext) -> None:
    """Run the scheduler daemon until SIGTERM or SIGINT (one per database)."""
    from bot.scheduler import serve

    code = serve(app.engine, app.settings)
    if code:
        raise click.exceptions.Exit(code)


def register(group: click.Group) -> None:
    """Add `serve`."""
    group.add_command(serve_cmd)
