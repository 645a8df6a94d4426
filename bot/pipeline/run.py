"""The main job: crawl the sources, build stories, classify them, and print the briefing.

Each stage is idempotent over the database's pending work, so the main job can be re-run at any
time (after a crash, or on a schedule) and only does what is missing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.pipeline.embed import Embedder


@dataclass
class MainJobResult:
    """Reports of each stage, and the digest (None when not built)."""

    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    digest: dict[str, Any] | None = None
    markdown: str = ""


def run_main_job(
    engine: Engine,
    settings: Settings,
    *,
    slugs: list[str] | None = None,
    since: datetime | None = None,
    build_briefing: bool = True,
    audience: str = "terminal",
    embedder: Embedder | None = None,
    stop: threading.Event | None = None,
) -> MainJobResult:
    """Crawl -> cluster -> classify -> digest; returns every stage's report and the digest."""
    from bot.pipeline.cluster import cluster_pending
    from bot.pipeline.crawl import crawl_sources
    from bot.pipeline.signals import classify_pending

    result = MainJobResult()
    result.reports["crawl"] = crawl_sources(engine, settings, slugs=slugs, stop=stop)
    if stop is not None and stop.is_set():
        return result
    result.reports["cluster"] = cluster_pending(engine, settings, embedder=embedder, stop=stop)
    if stop is not None and stop.is_set():
        return result
    result.reports["signals"] = classify_pending(engine, settings, stop=stop)
    if build_briefing and not (stop is not None and stop.is_set()):
        from bot.briefing.build import build_digest
        from bot.briefing.render_markdown import render_markdown

        result.digest = build_digest(engine, settings, audience=audience, since=since)
        result.markdown = render_markdown(result.digest)
    return result
