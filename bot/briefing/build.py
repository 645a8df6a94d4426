"""Build the digest: the stories of a period, ranked into fixed sections, with key numbers,
"under the radar" single-source stories and contradictions between outlets.

The digest is a JSON-able dict (the contract every renderer reads). It is deterministic for the
same data and ``now``, and stored as a ``Digest`` row with one ``DigestStory`` row per story so
that later digests for the same audience can mark follow-ups and start where this one ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.briefing import LABELS, SUBTYPES, TOPIC_ORDER, safe_url, topic_title
from bot.briefing.figures import (
    Figure,
    best_figure,
    figure_context,
    find_contradictions,
    find_figures,
    kind_for,
)
from bot.briefing.summary import summarize_story
from bot.briefing.text import clean_text, shorten
from bot.config import Settings
from bot.errors import UsageError
from bot.pipeline.identity import strip_tracking
from bot.store.db import session_scope
from bot.store.models import Article, Digest, DigestStory, Source, Story
from bot.timeparse import as_utc

DIGEST_VERSION = 1
MAX_PER_SECTION = 8
MAX_KEY_NUMBERS = 5
MAX_UNDER_RADAR = 3
DEFAULT_LOOKBACK = timedelta(days=1)
CATCH_UP = timedelta(days=3)  # how far back a late-classified story may still appear
FIGURE_TEXT_CHARS = 4000


def _iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def _host_domain(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


try:  # the story stage's outlet rule (news.bbc.co.uk and www.bbc.co.uk are one outlet)
    from bot.pipeline.outlets import registrable_domain as _domain
except ImportError:  # pragma: no cover - older trees without bot.pipeline.outlets
    _domain = _host_domain  # type: ignore[assignment]


def _outlet(article: Article, source: Source | None) -> tuple[str, str]:
    """(key, display name) of the outlet that published ``article``; one outlet counts once."""
    host = _domain(article.canonical_url or article.url)
    name = (source.name if source and source.name else None) or article.site_name or host
    return (host or (source.slug if source else "unknown"), clean_text(name) or host)


def _evidence(items: Sequence[Any], headline: str = "") -> list[str]:
    out: list[str] = []
    for item in items or []:
        text = item
        if isinstance(item, dict):
            text = item.get("sentence") or item.get("text") or item.get("quote") or ""
        text = clean_text(str(text)) if text else ""
        if text and text not in out and text.rstrip(".") != headline.rstrip("."):
            out.append(shorten(text, 300))
        if len(out) >= 4:
            break
    return out


def _rank_key(story: Story) -> tuple[Any, ...]:
    last = as_utc(story.last_seen_at) or datetime.min.replace(tzinfo=UTC)
    return (-(story.importance or 0.0), -(story.n_outlets or 0), -last.timestamp(), story.id)


def _validate_filters(topics: Sequence[str] | None, labels: Sequence[str] | None) -> None:
    bad = [x for x in labels or [] if x not in LABELS + SUBTYPES]
    if bad:
        choices = ", ".join(LABELS + SUBTYPES)
        raise UsageError(f"unknown label {bad[0]!r}; choose from {choices}")
    if any(not t or not t.replace("_", "").replace("-", "").isalnum() for t in topics or []):
        raise UsageError(f"topics must be names like {', '.join(TOPIC_ORDER)}")


def _period_start(session: Session, audience: str, now: datetime, lookback: timedelta) -> datetime:
    last = session.exec(
        select(Digest)
        .where(Digest.audience == audience, col(Digest.created_at) <= now)
        .order_by(col(Digest.created_at).desc(), col(Digest.id).desc())
    ).first()
    if last is not None and last.period_end is not None:
        return as_utc(last.period_end) or now - lookback
    return now - lookback


def _story_entry(
    story: Story, rows: list[tuple[Article, Source | None]], follow_up: bool
) -> tuple[dict[str, Any], dict[str, list[Figure]], dict[str, dict[str, str]]]:
    sources: dict[str, dict[str, str]] = {}
    figures: dict[str, list[Figure]] = {}
    texts: list[str] = []
    for article, source in rows:
        key, name = _outlet(article, source)
        if key not in sources:
            sources[key] = {"name": name, "url": safe_url(strip_tracking(article.url)) or ""}
        body = article.text or clean_text(article.summary, strip_tags=True)
        if article.duplicate_of is None:
            texts.append(body)
        summary = clean_text(article.summary, strip_tags=True)
        fig_text = f"{article.title}\n{summary}\n{body[:FIGURE_TEXT_CHARS]}"
        figures.setdefault(key, []).extend(find_figures(fig_text, article.id))
    headline = (
        clean_text(story.title) or clean_text(rows[0][0].title if rows else "") or "(untitled)"
    )
    entry: dict[str, Any] = {
        "story_id": story.id,
        "headline": shorten(headline, 200),
        "summary": summarize_story(
            headline,
            texts or [r[0].text or clean_text(r[0].summary, strip_tags=True) for r in rows],
            titles=[clean_text(r[0].title) for r in rows],
        ),
        "label": story.label,
        "subtype": story.subtype,
        "confidence": round(story.confidence, 3) if story.confidence is not None else None,
        "evidence": [],
        "sources": list(sources.values()),
        "n_outlets": len(sources),
        "topics": list(story.topics or []),
        "importance": round(story.importance, 4) if story.importance is not None else None,
        "follow_up": follow_up,
        "first_seen_at": _iso(story.first_seen_at),
        "last_seen_at": _iso(story.last_seen_at),
    }
    # the evidence quotes what the summary does not already say
    quotes = [e for e in _evidence(story.evidence, headline) if e not in entry["summary"]]
    entry["evidence"] = quotes[:2]
    return entry, figures, sources


def _key_numbers(
    ranked: list[Story], figures: dict[int, dict[str, list[Figure]]],
    sources: dict[int, dict[str, dict[str, str]]], entries: dict[int, dict[str, Any]],
    contested: dict[int, set[tuple[str, str]]],
) -> list[dict[str, Any]]:  # fmt: skip
    out: list[dict[str, Any]] = []
    for story in ranked:
        sid = story.id or 0
        candidates = [
            (outlet, fig)
            for outlet in sorted(figures[sid])
            for fig in figures[sid][outlet]
            if fig.key not in contested.get(sid, set())
            and kind_for(story.label, story.subtype, fig)
        ]
        fig = best_figure([f for _, f in candidates])
        if fig is None:
            continue
        outlet = next(o for o, f in candidates if f is fig)
        out.append(
            {
                "value": fig.text,
                "kind": kind_for(story.label, story.subtype, fig),
                "measure": fig.measure,
                "context": figure_context(fig),
                "story_id": story.id,
                "headline": entries[sid]["headline"],
                "source": sources[sid][outlet],
            }
        )
        if len(out) >= MAX_KEY_NUMBERS:
            break
    return out


def _load_articles(
    session: Session, ids: list[int]
) -> dict[int, list[tuple[Article, Source | None]]]:
    by_story: dict[int, list[tuple[Article, Source | None]]] = {i: [] for i in ids}
    if not ids:
        return by_story
    rows = session.exec(
        select(Article, Source)
        .join(Source, col(Article.source_id) == col(Source.id), isouter=True)
        .where(col(Article.story_id).in_(ids))
    ).all()
    far = datetime.max.replace(tzinfo=UTC)
    for article, source in sorted(
        rows,
        key=lambda r: (r[0].duplicate_of is not None, as_utc(r[0].published_at) or far, r[0].id),
    ):
        by_story[article.story_id].append((article, source))  # type: ignore[index]
    return by_story


def _classified_late(
    session: Session, audience: str, start: datetime, now: datetime, seen: set[int | None]
) -> list[Story]:
    """Stories seen before ``start`` whose signals arrived after it and that no digest for this
    audience carried yet: left out as unclassified last time, they are not lost now."""
    late = session.exec(
        select(Story)
        .where(col(Story.signals_at) > start, col(Story.signals_at) <= now)
        .where(col(Story.last_seen_at) > start - CATCH_UP, col(Story.last_seen_at) <= start)
    ).all()
    late = [s for s in late if s.id not in seen]
    if not late:
        return []
    carried = set(
        session.exec(
            select(DigestStory.story_id)
            .join(Digest, col(Digest.id) == col(DigestStory.digest_id))
            .where(Digest.audience == audience)
            .where(col(DigestStory.story_id).in_([s.id for s in late]))
        ).all()
    )
    return [s for s in late if s.id not in carried]


def build_digest(
    engine: Engine,
    settings: Settings,
    *,
    audience: str,
    since: datetime | None = None,
    now: datetime | None = None,
    topics: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    store: bool = True,
    lookback: timedelta = DEFAULT_LOOKBACK,
    max_per_section: int = MAX_PER_SECTION,
) -> dict[str, Any]:
    """Build (and by default store) the digest for ``audience`` since its last digest or ``since``."""
    _validate_filters(topics, labels)
    now = as_utc(now) or datetime.now(UTC)
    with session_scope(engine) as session:
        start = as_utc(since) or _period_start(session, audience, now, lookback)
        stories = list(
            session.exec(
                select(Story).where(col(Story.last_seen_at) > start, col(Story.last_seen_at) <= now)
            ).all()
        )
        if since is None:
            stories += _classified_late(session, audience, start, now, {s.id for s in stories})
        stats = {"stories_in_period": len(stories), "off_topic": 0, "unclassified": 0,
                 "filtered_out": 0, "over_section_limit": 0, "included": 0}  # fmt: skip
        chosen: list[Story] = []
        for story in stories:
            if story.relevant is None:
                stats["unclassified"] += 1
            elif not story.relevant or not story.primary_topic:
                stats["off_topic"] += 1
            elif (topics and story.primary_topic not in topics) or (
                labels and story.label not in labels and story.subtype not in labels
            ):
                stats["filtered_out"] += 1
            else:
                chosen.append(story)
        chosen.sort(key=_rank_key)
        per_topic: dict[str, list[Story]] = {}
        for story in chosen:
            bucket = per_topic.setdefault(story.primary_topic or "", [])
            if len(bucket) < max_per_section:
                bucket.append(story)
            else:
                stats["over_section_limit"] += 1
        ranked = [s for s in chosen if s in per_topic.get(s.primary_topic or "", [])]
        ids = [s.id for s in ranked if s.id is not None]
        earlier = set(
            session.exec(
                select(DigestStory.story_id)
                .join(Digest, col(Digest.id) == col(DigestStory.digest_id))
                .where(Digest.audience == audience, col(Digest.created_at) < now)
                .where(col(DigestStory.story_id).in_(ids))
            ).all()
        ) if ids else set()  # fmt: skip
        articles = _load_articles(session, ids)

        entries: dict[int, dict[str, Any]] = {}
        figures: dict[int, dict[str, list[Figure]]] = {}
        sources: dict[int, dict[str, dict[str, str]]] = {}
        contradictions: list[dict[str, Any]] = []
        contested: dict[int, set[tuple[str, str]]] = {}
        for story in ranked:
            sid = story.id or 0
            entries[sid], figures[sid], sources[sid] = _story_entry(
                story, articles[sid], sid in earlier
            )
            for found in find_contradictions(figures[sid], sources[sid]):
                contested.setdefault(sid, set()).add((found["unit"], found["measure"]))
                contradictions.append(
                    {"story_id": sid, "headline": entries[sid]["headline"], **found}
                )

        order = list(TOPIC_ORDER) + sorted(t for t in per_topic if t not in TOPIC_ORDER)
        sections = []
        for topic in order:
            if not per_topic.get(topic):
                continue
            items = [entries[s.id or 0] for s in per_topic[topic]]
            tally = {
                "deployed": sum(1 for e in items if e["label"] == "deployment"),
                "announced": sum(1 for e in items if e["label"] == "hype"),
                "other": sum(1 for e in items if e["label"] not in {"deployment", "hype"}),
            }
            sections.append(
                {"topic": topic, "title": topic_title(topic), "stories": items, "tally": tally}
            )
        # single-source stories that make a claim (deployed or hyped), most important first
        radar = [
            {
                "story_id": s.id,
                "headline": entries[s.id or 0]["headline"],
                "topic": s.primary_topic,
                "label": s.label,
                "subtype": s.subtype,
                "sources": entries[s.id or 0]["sources"],
            }
            for s in ranked
            if entries[s.id or 0]["n_outlets"] == 1
            and s.label in {"deployment", "hype"}
            and (s.importance or 0.0) > 0
        ][:MAX_UNDER_RADAR]
        stats["included"] = len(ranked)
        stats["articles"] = sum(len(v) for v in articles.values())
        digest: dict[str, Any] = {
            "version": DIGEST_VERSION,
            "digest_id": None,
            "audience": audience,
            "title": "AI industry briefing",
            "generated_at": _iso(now),
            "period": {"start": _iso(start), "end": _iso(now)},
            "filters": {"topics": list(topics or []), "labels": list(labels or [])},
            "key_numbers": _key_numbers(ranked, figures, sources, entries, contested),
            "sections": sections,
            "under_the_radar": radar,
            "contradictions": contradictions,
            "stats": stats,
        }
        if store and ids:  # an empty digest is not stored: the next period starts earlier
            row = Digest(audience=audience, period_start=start, period_end=now, created_at=now,
                         content={}, story_ids=ids)  # fmt: skip
            session.add(row)
            session.flush()
            digest["digest_id"] = row.id
            row.content = dict(digest)
            for sid in ids:
                session.add(DigestStory(digest_id=row.id or 0, story_id=sid))
    return digest


def story_count(digest: dict[str, Any]) -> int:
    """How many stories a digest contains."""
    return sum(len(section["stories"]) for section in digest.get("sections", []))
