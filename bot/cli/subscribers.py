"""`briefing subscribers add|list|set|remove|unsubscribe` and `briefing unsubscribe-server`.

Exit codes: 0 success; 2 a bad address, topic, label, frequency, time zone or token, or a
missing BRIEFING_SECRET; 1 a database problem.
"""

from __future__ import annotations

import json

import click

from bot.cli import AppContext, pass_app
from bot.cli.digest import split_list


@click.group("subscribers")
def subscribers_group() -> None:
    """Email subscribers and their preferences."""


def _show(sub: dict) -> str:
    topics = ",".join(sub["topics"]) or "all topics"
    labels = ",".join(sub["labels"]) or "all labels"
    state = "active" if sub["active"] else "unsubscribed"
    return f"{sub['email']}  {topics}  {labels}  {sub['frequency']}  {sub['timezone']}  {state}"


@subscribers_group.command("add")
@click.argument("email")
@click.option("--topics", multiple=True, help="Only these topics (comma-separated); default all.")
@click.option(
    "--labels", multiple=True, help="Only these labels (deployment, hype, neither, funding...)."
)
@click.option(
    "--frequency", type=click.Choice(["daily", "weekly"]), default="daily", show_default=True
)
@click.option(
    "--timezone", "tz", default="UTC", show_default=True, help="IANA zone, e.g. Europe/Berlin."
)
@pass_app
def add_cmd(app: AppContext, email: str, topics: tuple[str, ...], labels: tuple[str, ...],
            frequency: str, tz: str) -> None:  # fmt: skip
    """Subscribe EMAIL to the briefing."""
    from bot.delivery.subscribers import add_subscriber

    sub = add_subscriber(app.engine, email, topics=split_list(topics), labels=split_list(labels),
                         frequency=frequency, timezone=tz)  # fmt: skip
    click.echo(f"subscribed: {_show(sub)}")


@subscribers_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_cmd(app: AppContext, as_json: bool) -> None:
    """List subscribers."""
    from bot.delivery.subscribers import list_subscribers

    subs = list_subscribers(app.engine)
    if as_json:
        click.echo(json.dumps(subs, indent=2))
    elif not subs:
        click.echo("no subscribers")
    else:
        for sub in subs:
            click.echo(_show(sub))


@subscribers_group.command("set")
@click.argument("email")
@click.option("--topics", multiple=True, help="Replace the topics ('' for all).")
@click.option("--labels", multiple=True, help="Replace the labels ('' for all).")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]))
@click.option("--timezone", "tz")
@pass_app
def set_cmd(app: AppContext, email: str, topics: tuple[str, ...], labels: tuple[str, ...],
            frequency: str | None, tz: str | None) -> None:  # fmt: skip
    """Change a subscriber's preferences."""
    from bot.delivery.subscribers import set_subscriber

    sub = set_subscriber(app.engine, email,
                         topics=(split_list(topics) or []) if topics else None,
                         labels=(split_list(labels) or []) if labels else None,
                         frequency=frequency, timezone=tz)  # fmt: skip
    click.echo(f"updated: {_show(sub)}")


@subscribers_group.command("remove")
@click.argument("email")
@pass_app
def remove_cmd(app: AppContext, email: str) -> None:
    """Delete a subscriber."""
    from bot.delivery.subscribers import remove_subscriber

    remove_subscriber(app.engine, email)
    click.echo(f"removed: {email.strip().lower()}")


@subscribers_group.command("unsubscribe")
@click.argument("token")
@pass_app
def unsubscribe_cmd(app: AppContext, token: str) -> None:
    """Unsubscribe the address a signed TOKEN (from an email's link) names."""
    from bot.delivery.subscribers import unsubscribe

    click.echo(f"unsubscribed: {unsubscribe(app.engine, app.settings, token)}")


@click.command("unsubscribe-server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True, type=click.IntRange(0, 65535))
@pass_app
def unsubscribe_server_cmd(app: AppContext, host: str, port: int) -> None:
    """Serve one-click unsubscribe: POST /unsubscribe?token=... (GET shows a form)."""
    import signal
    import threading

    from bot.delivery.unsubscribe import make_unsubscribe_server

    server = make_unsubscribe_server(app.engine, app.settings, host, port)
    # SIGTERM (systemd, docker stop) ends the loop cleanly, like Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    click.echo(
        f"serving http://{host}:{server.server_address[1]}/unsubscribe (Ctrl-C stops)", err=True
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
    click.echo("stopped", err=True)


def register(group: click.Group) -> None:
    """Add the subscriber commands to the CLI."""
    group.add_command(subscribers_group)
    group.add_command(unsubscribe_server_cmd)
