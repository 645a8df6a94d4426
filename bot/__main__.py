"""`python -m bot` is the same as `briefing`."""

from bot.cli import run

run()
