"""Errors raised by briefing.

Hierarchy::

    BotError                      base; carries the CLI exit code
    ├── ConfigError (2)           bad settings or environment
    │   └── SourcesError (2)      sources.yaml / OPML problems, names entry and field
    ├── UsageError (2)            bad command-line input (dates, ids, formats)
    ├── InputError (1)            bad data given to a command (JSON lines, files)
    ├── StorageError (1)          database unreachable, locked or at a wrong schema
    ├── ModelError (1)            embedding model missing or unloadable
    └── DeliveryError (1)         Slack or SMTP refused a delivery

Per-item failures inside a stage (a feed's 500, an extraction that is too short) are
not exceptions that reach the user: they are recorded on the row with a reason and
counted in the run report.
"""

from __future__ import annotations


class BotError(Exception):
    """Base error; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class ConfigError(BotError):
    """Settings or environment are invalid."""

    exit_code = 2


class SourcesError(ConfigError):
    """sources.yaml (or an OPML file) is invalid; the message names entry and field."""

    def __init__(self, problems: list[str] | str, path: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(self.problems))


class UsageError(BotError):
    """A command-line argument is invalid."""

    exit_code = 2


class InputError(BotError):
    """Input data given to a command is invalid."""


class StorageError(BotError):
    """The database cannot be used."""


class ModelError(BotError):
    """An embedding or classification model cannot be loaded."""


class DeliveryError(BotError):
    """A delivery channel refused a message."""
