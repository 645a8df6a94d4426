"""Render the HTML digest email and screenshot it in headless Chromium at desktop and phone widths.

By default the digest is built from real public AI-industry news openings
(``../shared/data/ai_news/articles.jsonl``): one story per hand-grouped event, labelled with the
project's own classifier, in a throwaway SQLite database. ``--database URL`` builds the digest
from an existing briefing database instead. Output goes to ``scripts/out/`` (git-ignored):
``email.html``, ``email.txt``, ``digest.md``, ``email-desktop.png``, ``email-phone.png``.

    python scripts/screenshot_email.py [--data PATH] [--database URL] [--since 30d]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ai_news" / "articles.jsonl"
WIDTHS = {"desktop": (1280, 3200), "phone": (390, 4200)}
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
]  # fmt: skip


def seed_from_ai_news(engine, path: Path, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """One story per event (articles without an event stand alone); returns the story count."""
    from bot.pipeline.signals import label_article
    from bot.store.db import session_scope
    from bot.store.models import Article, Source, Story

    records = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    groups: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        groups[rec.get("event") or rec["id"]].append(rec)
    with session_scope(engine) as session:
        sources: dict[str, int] = {}
        for key in sorted(groups):
            recs = groups[key]
            lead = recs[0]
            signal = label_article(lead["title"], lead["text"], lead.get("published"))
            outlets = {r["source"] for r in recs}
            story = Story(
                title=lead["title"], first_seen_at=now - timedelta(hours=5), last_seen_at=now - timedelta(hours=1),
                n_articles=len(recs), n_outlets=len(outlets), relevant=bool(lead.get("relevant")),
                topics=[lead.get("topic_guess")] if lead.get("topic_guess") else [],
                primary_topic=lead.get("topic_guess") if lead.get("relevant") else None,
                label=signal["label"], subtype=signal["subtype"], confidence=signal["confidence"],
                evidence=signal["evidence"], importance=round(min(1.0, 0.3 + 0.15 * len(outlets) + 0.2 * signal["confidence"]), 3),
            )  # fmt: skip
            session.add(story)
            session.flush()
            for i, rec in enumerate(recs):
                if rec["source"] not in sources:
                    src = Source(slug=f"s{len(sources)}", name=rec["source"], url=rec["url"])
                    session.add(src)
                    session.flush()
                    sources[rec["source"]] = src.id or 0
                session.add(Article(
                    source_id=sources[rec["source"]], url=rec["url"], canonical_url=rec["url"],
                    content_hash=f"{key}-{i}", title=rec["title"], text=rec["text"], story_id=story.id,
                    published_at=now - timedelta(hours=2, minutes=i),
                ))  # fmt: skip
    return len(groups)


def screenshot(chromium: str, html: Path, png: Path, width: int, height: int) -> float:
    """One screenshot with a fresh profile; returns seconds taken."""
    with tempfile.TemporaryDirectory() as profile:
        started = time.monotonic()
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             f"--screenshot={png}", html.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="ai_news articles.jsonl")
    parser.add_argument("--database", help="build from this briefing database instead")
    parser.add_argument("--since", default="2d", help="period for --database (e.g. 7d)")
    parser.add_argument("--out", type=Path, default=ROOT / "scripts" / "out")
    parser.add_argument(
        "--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser")
    )
    args = parser.parse_args()

    from bot.briefing.build import build_digest
    from bot.briefing.render_email import render_email
    from bot.briefing.render_markdown import render_markdown
    from bot.config import Settings
    from bot.sources import parse_duration
    from bot.store.db import open_engine

    now = datetime.now(UTC).replace(microsecond=0)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.database:
            engine = open_engine(args.database)
            since = now - timedelta(seconds=parse_duration(args.since))
            digest = build_digest(
                engine, Settings(), audience="screenshot", now=now, since=since, store=False
            )
        else:
            if not args.data.exists():
                print(f"no data at {args.data}; pass --data or --database", file=sys.stderr)
                return 2
            engine = open_engine(f"sqlite:///{tmp}/demo.db")
            n = seed_from_ai_news(engine, args.data, now)
            print(f"seeded {n} stories from {args.data}")
            started = time.perf_counter()
            digest = build_digest(engine, Settings(), audience="screenshot", now=now)
            print(f"build_digest: {time.perf_counter() - started:.2f}s")
        engine.dispose()
    started = time.perf_counter()
    email = render_email(digest, "https://briefing.example.org/unsubscribe?token=demo-token")
    print(f"render_email: {time.perf_counter() - started:.2f}s")
    (args.out / "email.html").write_text(email.html, encoding="utf-8")
    (args.out / "email.txt").write_text(email.text, encoding="utf-8")
    (args.out / "digest.md").write_text(render_markdown(digest), encoding="utf-8")
    (args.out / "digest.json").write_text(
        json.dumps(digest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    stories = sum(len(s["stories"]) for s in digest["sections"])
    print(f"digest: {stories} stories in {len(digest['sections'])} sections, "
          f"{len(digest['key_numbers'])} key numbers, {len(digest['under_the_radar'])} under the radar, "
          f"{len(digest['contradictions'])} contradictions; html {len(email.html):,} bytes")  # fmt: skip
    if not args.chromium:
        print(
            "chromium not found (apt-get install -y chromium); HTML written, no screenshots",
            file=sys.stderr,
        )
        return 1
    for name, (width, height) in WIDTHS.items():
        png = args.out / f"email-{name}.png"
        secs = screenshot(args.chromium, args.out / "email.html", png, width, height)
        print(f"{name}: {width}x{height} -> {png} ({secs:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
