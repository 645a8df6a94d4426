"""`briefing crawl`: fetch the sources' feeds and article pages once and print the run report."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from bot.cli import AppContext, pass_app
from bot.errors import BotError


class CrawlInterrupted(BotError):
    """The crawl stopped early on a signal (its report is printed and stored)."""

    exit_code = 130


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """SIGINT/SIGTERM set the returned event (finish current items, then stop); twice aborts."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo("briefing: stopping after the current items (again to abort)", err=True)

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
    with stop_on_signals() as stop:
        report = crawl_sources(app.engine, app.settings, slugs=list(slugs) or None, stop=stop)
    click.echo(json.dumps(report, default=str) if as_json else format_report(report))
    if report["status"] == "interrupted":
        raise CrawlInterrupted("crawl interrupted; the next run picks up the remaining work")


def register(group: click.Group) -> None:
    """Add `crawl` to the CLI."""
    group.add_command(crawl_command)
