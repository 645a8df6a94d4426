"""The `briefing` command: a thin shell over the library. Each command calls one library function.

Exit codes: 0 success; 1 a runtime failure (database, model, delivery); 2 bad usage or
configuration (including a broken sources.yaml); 130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
from functools import cached_property

import click
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.errors import BotError

# Each module here defines `register(group)`; add a module to this list to add its commands.
COMMAND_MODULES: list[str] = [
    "crawl",
    "runs",
    "importer",
    "sources",
    "search",
    "archive",
    "classify",
    "digest",
    "subscribers",
    "serve",
    "status",
    "stories",
    "run",
]


class AppContext:
    """Settings and a lazily opened, migrated database engine, shared by all commands."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        from bot.store.db import open_engine

        return open_engine(self.settings.database_url)


pass_app = click.make_pass_decorator(AppContext)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--log-level",
    default="WARNING",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    help="Diagnostics on stderr.",
)
@click.option(
    "--log-format",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json"]),
    help="json: one JSON object per log line (for the daemon).",
)
@click.version_option(package_name="briefing")
@click.pass_context
def cli(ctx: click.Context, log_level: str, log_format: str) -> None:
    """briefing: AI-industry news, deployed versus announced."""
    from bot.logs import setup_logging

    setup_logging(log_level.upper(), log_format)
    ctx.obj = AppContext(Settings.from_env())


for _name in COMMAND_MODULES:
    importlib.import_module(f"bot.cli.{_name}").register(cli)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; turns BotError into one message and an exit code."""
    try:
        rv = cli.main(args=argv, prog_name="briefing", standalone_mode=False)
    except BotError as exc:
        click.echo(f"briefing: error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("briefing: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("briefing: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    # standalone_mode=False returns the exit code of ctx.exit(n) instead of raising
    return rv if isinstance(rv, int) else 0


def run() -> None:
    """Console-script wrapper."""
    sys.exit(main())
