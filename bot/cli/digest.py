"""`briefing digest build|send` and `briefing digests`: build, deliver and list digests.

Exit codes: 0 success; 1 a delivery failed for some recipient (it is logged and retried with
backoff on the next run) or a runtime failure; 2 bad arguments or missing configuration.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from bot.cli import AppContext, pass_app
from bot.errors import DeliveryError
from bot.timeparse import parse_when

FORMATS = ["md", "json", "slack", "html", "text"]


def parse_since(value: str | None, now: datetime, flag: str = "--since") -> datetime | None:
    """A duration back from ``now`` ("2d", "12h") or an ISO date/datetime (UTC when naive)."""
    return parse_when(value, flag=flag, now=now) if value else None


def split_list(values: tuple[str, ...]) -> list[str] | None:
    """``--topics a,b --topics c`` -> ["a", "b", "c"]; nothing given -> None."""
    items = [v.strip().lower() for raw in values for v in raw.split(",") if v.strip()]
    return items or None


@click.group("digest")
def digest_group() -> None:
    """Build and send the briefing."""


@digest_group.command("build")
@click.option(
    "--since",
    help="Period start: 2d, 12h or 2026-11-20 (default: since the last digest for the audience, or 1d).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option(
    "--audience",
    default="terminal",
    show_default=True,
    help="Whose digest history to continue (follow-ups, period).",
)
@click.option("--topics", multiple=True, help="Only these topics (comma-separated or repeated).")
@click.option(
    "--labels",
    multiple=True,
    help="Only these labels: deployment, hype, neither or a hype subtype.",
)
@click.option(
    "--now", "now_text", hidden=True, help="Pretend it is this UTC time (tests, replays)."
)
@pass_app
def build_cmd(app: AppContext, since: str | None, fmt: str, audience: str, topics: tuple[str, ...],
              labels: tuple[str, ...], now_text: str | None) -> None:  # fmt: skip
    """Build the digest (stored with its stories) and print it."""
    from bot.briefing.build import build_digest

    now = parse_since(now_text, datetime.now(UTC), "--now") if now_text else datetime.now(UTC)
    digest = build_digest(app.engine, app.settings, audience=audience, now=now,
                          since=parse_since(since, now or datetime.now(UTC)),
                          topics=split_list(topics), labels=split_list(labels))  # fmt: skip
    click.echo(render(digest, fmt), nl=False)


def render(digest: dict, fmt: str) -> str:
    """The digest in one of the CLI formats."""
    if fmt == "json":
        return json.dumps(digest, indent=2, ensure_ascii=False) + "\n"
    if fmt == "slack":
        from bot.briefing.render_slack import render_slack

        return json.dumps(render_slack(digest), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from bot.briefing.render_email import render_html

        return render_html(digest)
    if fmt == "text":
        from bot.briefing.render_text import render_text

        return render_text(digest)
    from bot.briefing.render_markdown import render_markdown

    return render_markdown(digest)


@digest_group.command("send")
@click.option(
    "--to", type=click.Choice(["slack", "email", "all"]), default="all", show_default=True
)
@click.option("--dry-run", is_flag=True, help="Render and report; send nothing, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.option(
    "--now", "now_text", hidden=True, help="Pretend it is this UTC time (tests, replays)."
)
@pass_app
def send_cmd(app: AppContext, to: str, dry_run: bool, as_json: bool, now_text: str | None) -> None:
    """Send due digests to Slack and email subscribers (never anything twice)."""
    from bot.delivery.send import send_digests

    now = parse_since(now_text, datetime.now(UTC), "--now") if now_text else None
    report = send_digests(app.engine, app.settings, to=to, dry_run=dry_run, now=now)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for item in report["deliveries"]:
            extra = f" ({item['error']})" if item.get("error") else ""
            click.echo(f"{item['channel']:<6} {item['recipient']:<40} {item['status']}{extra}")
        totals = (
            " ".join(f"{k}={v}" for k, v in sorted(report["totals"].items())) or "nothing to send"
        )
        click.echo(("dry run: " if dry_run else "") + totals)
    for note in report["notes"]:
        click.echo(f"note: {note}", err=True)
    failed = report["totals"].get("failed", 0)
    if failed:
        raise DeliveryError(
            f"{failed} deliveries failed; they are retried with backoff on the next send"
        )


@click.command("digests")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--audience", help="Only this audience (terminal, slack, email:ADDRESS).")
@pass_app
def digests_cmd(app: AppContext, as_json: bool, limit: int, audience: str | None) -> None:
    """List built digests, newest first, with their deliveries."""
    from bot.briefing.history import list_digests

    rows = list_digests(app.engine, limit=limit, audience=audience)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no digests yet (build one with `briefing digest build`)")
        return
    for row in rows:
        sent = sum(1 for d in row["deliveries"] if d["status"] == "sent")
        other = len(row["deliveries"]) - sent
        when = (row["created_at"] or "")[:16].replace("T", " ")
        click.echo(f"{row['id']:>5}  {when}  {row['audience']:<32} {row['stories']:>3} stories  "
                   f"sent={sent} unsent={other}")  # fmt: skip


def register(group: click.Group) -> None:
    """Add the digest commands to the CLI."""
    group.add_command(digest_group)
    group.add_command(digests_cmd)
