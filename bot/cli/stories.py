"""`briefing cluster`, `briefing stories`, `briefing story ID` and `briefing reembed`.

Data (story lists, JSON) goes to stdout; run reports go to stderr.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from bot.cli import AppContext, pass_app
from bot.timeparse import parse_when


def _since(value: str | None) -> datetime | None:
    return parse_when(value, flag="--since") if value else None


def format_story(story: dict[str, Any]) -> str:
    """A story and its articles as plain text lines."""
    first, last = (story["first_seen"] or "")[:16], (story["last_seen"] or "")[:16]
    extra = []
    if story.get("primary_topic"):
        extra.append(story["primary_topic"])
    if story.get("label"):
        extra.append(story["label"])
    head = (
        f"#{story['id']}  {story['title']}\n"
        f"    {story['n_outlets']} outlet(s), {story['n_articles']} article(s), "
        f"{first.replace('T', ' ')} .. {last.replace('T', ' ')}"
    )
    if extra:
        head += "  [" + ", ".join(extra) + "]"
    lines = [head]
    for a in story["articles"]:
        copy = f" (copy of {a['duplicate_of']})" if a.get("duplicate_of") else ""
        lines.append(f"    - {a['title'] or '(untitled)'} | {a['source']}{copy}\n      {a['url']}")
    return "\n".join(lines)


@click.command("cluster")
@pass_app
def cluster_cmd(app: AppContext) -> None:
    """Embed and cluster all pending articles into stories."""
    from bot.pipeline.cluster import cluster_pending, format_report

    report = cluster_pending(app.engine, app.settings)
    click.echo(format_report(report), err=True)


@click.command("stories")
@click.option("--since", help="Only stories seen within this duration, e.g. 2d, 12h.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--topic", help="Only stories with this topic (primary or secondary).")
@click.option("--label", help="Only stories with this label (deployment, hype, neither).")
@click.option(
    "--sort",
    type=click.Choice(["recent", "importance", "outlets"]),
    default="recent",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@pass_app
def stories_cmd(
    app: AppContext, since: str | None, as_json: bool, topic: str | None, label: str | None,
    sort: str, limit: int,
) -> None:  # fmt: skip
    """List stories with their articles, newest first."""
    from bot.store.story_queries import list_stories

    stories = list_stories(
        app.engine, since=_since(since), topic=topic, label=label, sort=sort, limit=limit
    )
    if as_json:
        click.echo(json.dumps(stories, ensure_ascii=False, indent=2))
        return
    if not stories:
        click.echo("no stories (run `briefing cluster` after a crawl)", err=True)
        return
    click.echo("\n\n".join(format_story(s) for s in stories))


@click.command("story")
@click.argument("story_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def story_cmd(app: AppContext, story_id: int, as_json: bool) -> None:
    """Show one story and its articles."""
    from bot.store.story_queries import get_story

    story = get_story(app.engine, story_id)
    if as_json:
        click.echo(json.dumps(story, ensure_ascii=False, indent=2))
    else:
        click.echo(format_story(story))


@click.command("reembed")
@pass_app
def reembed_cmd(app: AppContext) -> None:
    """Recompute every article's embedding with the configured model (after a model change)."""
    from bot.pipeline.embed import load_embedder, reembed_articles

    counts = reembed_articles(app.engine, load_embedder(app.settings.embedding_model))
    click.echo(
        f"embedded={counts['embedded']} unchanged={counts['unchanged']} "
        f"removed_other_models={counts['removed_other_models']}",
        err=True,
    )


def register(group: click.Group) -> None:
    """Add the story commands to ``group``."""
    for cmd in (cluster_cmd, stories_cmd, story_cmd, reembed_cmd):
        group.add_command(cmd)
