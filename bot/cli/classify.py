"""`briefing classify [FILE|-]`: relevance, topics and hype-versus-deployment for JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from bot.cli import AppContext, pass_app
from bot.errors import InputError

CHUNK = 64


def read_records(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, record, error) for each non-blank line; a bad line gets an error, not a record."""
    for n, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = exc.msg.removesuffix(" at")
            yield n, None, f"line {n}, column {exc.colno}: not valid JSON ({reason})"
            continue
        if not isinstance(rec, dict):
            yield n, None, f"line {n}: expected a JSON object, got {type(rec).__name__}"
        elif not isinstance(rec.get("text"), str):
            yield n, None, f"line {n}: field 'text' is missing or not a string"
        elif rec.get("title") is not None and not isinstance(rec["title"], str):
            yield n, None, f"line {n}: field 'title' must be a string"
        else:
            yield n, rec, None


@click.command("classify")
@click.argument("file", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
@pass_app
def classify_cmd(app: AppContext, file: IO[str]) -> None:
    """Label JSON lines {"id", "text", "title"?, "published"?} from FILE (or stdin).

    Writes one JSON line per input: {"id", "relevant", "topics", "primary_topic",
    "signal": {"label", "subtype", "confidence", "evidence"}, "attribution"}. Bad lines are
    reported on stderr by line number; the others are still processed (exit code 1 at the end).
    An unreadable "published" is warned about and ignored.
    """
    from bot.pipeline.embed import load_embedder
    from bot.pipeline.evidence import as_date
    from bot.pipeline.signals import classify_texts
    from bot.pipeline.topics import get_topic_classifier

    classifier = get_topic_classifier(
        load_embedder(app.settings.embedding_model), app.settings.extra.get("BRIEFING_TAXONOMY")
    )
    errors = 0
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        results = classify_texts([r for _, r in batch], classifier)
        for (n, rec), res in zip(batch, results, strict=True):
            signal = res["signal"]
            out = {
                "id": rec.get("id", n),
                "relevant": res["relevant"],
                "topics": res["topics"],
                "primary_topic": res["primary_topic"],
                "signal": {k: signal[k] for k in ("label", "subtype", "confidence", "evidence")},
                "attribution": signal["attribution"],
            }
            click.echo(json.dumps(out, ensure_ascii=False))
        sys.stdout.flush()
        batch.clear()

    for n, rec, err in read_records(file):
        if err is not None:
            errors += 1
            click.echo(f"briefing classify: {err}", err=True)
            continue
        assert rec is not None
        published = rec.get("published")
        if published not in (None, "") and as_date(published) is None:
            # still labelled, but effective dates can no longer be judged against it: say so
            click.echo(
                f"briefing classify: line {n}: warning: 'published' is not a date "
                f"({str(published)[:40]!r}; use ISO 8601 or RFC 822): labelled without it",
                err=True,
            )
            rec = {**rec, "published": None}
        batch.append((n, rec))
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    if errors:
        raise InputError(f"{errors} input line(s) could not be classified (see above)")


def register(group: click.Group) -> None:
    """Add `classify` to the CLI."""
    group.add_command(classify_cmd)
