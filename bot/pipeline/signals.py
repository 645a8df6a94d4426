"""Signals stage: relevance, topics and the hype-versus-deployment label of articles and stories.

``classify_pending`` fills ``article_signals`` for articles that have none or whose text changed
(``text_hash``), aggregates them to their stories (label, topics, evidence) and recomputes story
importance (``bot.pipeline.rank``). ``classify_text`` does the same for one text, for
``briefing classify``.

Article label from sentence claims: every sentence is a claim (``bot.pipeline.claims``); the title
counts 1.5 times, body sentences less the later they come (1 / (1 + 0.15 * position), at least 0.3).
Deployment and hype evidence are summed; the larger wins if it reaches 0.9, else ``neither``. The
hype subtype is the subtype with the most evidence. Evidence: up to three justifying sentences.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.pipeline.claim_cues import EFFECT_DATE, FUTURE, LAW_PASSED, find_dates
from bot.pipeline.claims import _PAST as PAST
from bot.pipeline.claims import Claim, classify_sentence, split_sentences
from bot.pipeline.embed import Embedder, load_embedder
from bot.pipeline.rank import StoryFacts, compute_importance
from bot.pipeline.topics import TopicClassifier, get_topic_classifier
from bot.store.db import session_scope
from bot.store.models import Article, ArticleSignal, Embedding, Run, Source, Story

CLASSIFIER_VERSION = "signals-1"
MAX_TEXT_CHARS = 20_000  # long texts: claims come from the opening, where news puts its facts
MAX_SENTENCES = 80
LABEL_MIN_EVIDENCE = 0.9
BATCH = 256
RERANK_WINDOW = timedelta(days=14)


def text_hash(title: str | None, text: str | None) -> str:
    """Hash of what the signals depend on (title and text)."""
    return hashlib.sha256(f"{title or ''}\n{text or ''}".encode()).hexdigest()[:32]


def _as_date(published: Any) -> date | None:
    if published is None or published == "":
        return None
    if isinstance(published, datetime):
        return published.date()
    if isinstance(published, date):
        return published
    try:
        return datetime.fromisoformat(str(published).strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(str(published).strip()[:10])
        except ValueError:
            return None


def label_article(title: str | None, text: str, published: Any = None) -> dict[str, Any]:
    """The article's label, subtype, confidence, attribution and evidence from its sentence claims."""
    pub = _as_date(published)
    body = text[:MAX_TEXT_CHARS]
    spans = split_sentences(body)[:MAX_SENTENCES]
    sentences = [body[a:b] for a, b in spans]
    ref = pub or infer_reference_date(sentences)
    weighted: list[tuple[float, Claim]] = []
    if title and title.strip():
        weighted.append((2.5, classify_sentence(title, ref, title=True)))
    for i, sentence in enumerate(sentences):
        if title and sentence.strip() == title.strip():
            continue
        weighted.append((max(1.5 / (1.0 + 0.3 * i), 0.25), classify_sentence(sentence, ref)))
    weighted.extend(_law_timing(([title] if title else []) + sentences, ref))
    dep = sum(w * c.confidence for w, c in weighted if c.label == "deployment")
    by_sub: dict[str, float] = defaultdict(float)
    for w, c in weighted:
        if c.label == "hype" and c.subtype:
            by_sub[c.subtype] += w * c.confidence
    hype = sum(by_sub.values())
    if max(dep, hype) < LABEL_MIN_EVIDENCE:
        return {
            "label": "neither",
            "subtype": None,
            "confidence": round(0.5 + 0.3 * (1 - max(dep, hype)), 3),
            "evidence": [],
            "attribution": None,
        }
    label = "deployment" if dep >= hype else "hype"
    subtype = None if label == "deployment" else max(by_sub, key=lambda k: by_sub[k])
    confidence = 0.5 + 0.45 * abs(dep - hype) / (dep + hype + 0.5)
    chosen = [
        (w * c.confidence, c) for w, c in weighted if c.label == label and c.subtype == subtype
    ]
    chosen.sort(key=lambda p: -p[0])
    attributions = Counter(c.attribution for _, c in chosen if c.attribution)
    attribution = attributions.most_common(1)[0][0] if attributions else None
    if label == "deployment" and attribution == "self_reported":
        confidence *= 0.9
    return {
        "label": label,
        "subtype": subtype,
        "confidence": round(min(confidence, 0.95), 3),
        "evidence": [c.text for _, c in chosen[:3]],
        "attribution": attribution,
    }


def infer_reference_date(sentences: Sequence[str]) -> date | None:
    """Without a publication date: the latest date the text reports as past (a lower bound of "now")."""
    past = [d for s in sentences if not FUTURE.search(s) and PAST.search(s) for d in find_dates(s)]
    return max(past) if past else None


def _law_timing(sentences: Sequence[str], ref: date | None) -> list[tuple[float, Claim]]:
    """Article-level: a law signed in one sentence, its effective date in another."""
    if ref is None or not any(LAW_PASSED.search(s) for s in sentences):
        return []
    for s in sentences:
        if EFFECT_DATE.search(s):
            dates = find_dates(s)
            if dates and max(dates) > ref:
                claim = Claim(
                    " ".join(s.split()),
                    "hype",
                    "proposal",
                    0.8,
                    None,
                    [f"trap:effective_after_publication:{max(dates).isoformat()}"],
                )
                return [(3.0, claim)]
            if dates:
                claim = Claim(
                    " ".join(s.split()), "deployment", None, 0.75, None, ["in_force:dated"]
                )
                return [(2.0, claim)]
    return []


def _embed_text(title: str | None, text: str) -> str:
    return f"{title or ''}\n{text[:2000]}".strip()


def classify_texts(
    items: Sequence[dict[str, Any]],
    classifier: TopicClassifier,
    vectors: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Signals for several {"text", "title", "published"} items (vectors: their embeddings, if known)."""
    texts = [_embed_text(it.get("title"), it.get("text") or "") for it in items]
    topics = classifier.classify(texts, vectors)
    out = []
    for it, tr, full in zip(items, topics, texts, strict=True):
        if len(full.split()) < 2:  # empty or one-word: nothing to judge
            sig = {
                "label": "neither",
                "subtype": None,
                "confidence": 0.5,
                "evidence": [],
                "attribution": None,
            }
        else:
            sig = label_article(it.get("title"), it.get("text") or "", it.get("published"))
        out.append(
            {
                "relevant": tr.relevant,
                "topics": tr.topics,
                "primary_topic": tr.primary_topic,
                "signal": sig,
            }
        )
    return out


def classify_text(
    text: str,
    title: str | None = None,
    published: Any = None,
    *,
    classifier: TopicClassifier | None = None,
) -> dict[str, Any]:
    """Relevance, topics and signal of one text: the shape of a `briefing classify` output line."""
    if classifier is None:
        classifier = get_topic_classifier(load_embedder())
    return classify_texts([{"text": text, "title": title, "published": published}], classifier)[0]


def aggregate_story(signals: Sequence[ArticleSignal]) -> dict[str, Any]:
    """A story's relevance, topics, label and evidence from its articles' signals."""
    if not signals:
        return {
            "relevant": None,
            "topics": [],
            "primary_topic": None,
            "label": None,
            "subtype": None,
            "confidence": None,
            "evidence": [],
        }
    relevant = sum(s.relevant for s in signals) * 2 >= len(signals)
    topic_votes: Counter[str] = Counter()
    primary_votes: Counter[str] = Counter()
    for s in signals:
        if s.relevant:
            topic_votes.update(s.topics)
            if s.primary_topic:
                primary_votes[s.primary_topic] += 1
    primary = primary_votes.most_common(1)[0][0] if primary_votes and relevant else None
    topics = [t for t, n in topic_votes.most_common() if n * 2 >= len(signals) or t == primary][:3]
    if primary and primary not in topics:
        topics.insert(0, primary)
    score: dict[tuple[str, str | None], float] = defaultdict(float)
    for s in signals:
        if s.label != "neither":
            score[(s.label, s.subtype)] += s.confidence
    dep = sum(v for (lab, _), v in score.items() if lab == "deployment")
    hype = sum(v for (lab, _), v in score.items() if lab == "hype")
    if not score:
        return {
            "relevant": relevant,
            "topics": topics,
            "primary_topic": primary,
            "label": "neither",
            "subtype": None,
            "confidence": round(float(np.mean([s.confidence for s in signals])), 3),
            "evidence": [],
        }
    label = "deployment" if dep >= hype else "hype"
    subs = {k[1]: v for k, v in score.items() if k[0] == label}
    subtype = max(subs, key=lambda k: subs[k]) if label == "hype" else None
    confidence = round(min(0.95, 0.5 + 0.45 * abs(dep - hype) / (dep + hype + 0.5)), 3)
    evidence: list[dict[str, Any]] = []
    for s in sorted(signals, key=lambda s: -s.confidence):
        if s.label == label and s.subtype == subtype:
            for text in s.evidence[:2]:
                evidence.append(
                    {"article_id": s.article_id, "text": text, "attribution": s.attribution}
                )
    return {
        "relevant": relevant,
        "topics": topics,
        "primary_topic": primary,
        "label": label,
        "subtype": subtype,
        "confidence": confidence,
        "evidence": evidence[:4],
    }


def _stored_vectors(
    session: Session, ids: list[int], model_id: str, dim: int
) -> dict[int, np.ndarray]:
    rows = session.exec(
        select(Embedding).where(Embedding.article_id.in_(ids), Embedding.model == model_id)  # type: ignore[attr-defined]
    ).all()
    return {r.article_id: np.frombuffer(r.vector, dtype="<f4") for r in rows if r.dim == dim}


def _pending_articles(
    session: Session, after_id: int
) -> list[tuple[Article, ArticleSignal | None]]:
    rows = session.exec(
        select(Article, ArticleSignal)
        .join(ArticleSignal, ArticleSignal.article_id == Article.id, isouter=True)  # type: ignore[arg-type]
        .where(Article.id > after_id)
        .order_by(Article.id)  # type: ignore[arg-type]
        .limit(BATCH * 4)
    ).all()
    return [(a, s) for a, s in rows]


def classify_articles_pending(
    session: Session,
    classifier: TopicClassifier,
    report: dict[str, Any],
    stop: threading.Event | None,
) -> set[int]:
    """Classify articles without a current signal; returns the story ids that need re-aggregation."""
    touched: set[int] = set()
    after = 0
    while True:
        rows = _pending_articles(session, after)
        if not rows:
            return touched
        after = rows[-1][0].id or after
        todo = [
            (a, s)
            for a, s in rows
            if s is None
            or s.text_hash != text_hash(a.title, a.text)
            or s.classifier_version != CLASSIFIER_VERSION
        ]
        for start in range(0, len(todo), BATCH):
            if stop is not None and stop.is_set():
                report["interrupted"] = True
                return touched
            chunk = todo[start : start + BATCH]
            report["articles"]["pending"] += len(chunk)
            ids = [a.id for a, _ in chunk if a.id is not None]
            stored = _stored_vectors(
                session, ids, classifier.embedder.model_id, classifier.embedder.dim
            )
            missing = [a for a, _ in chunk if a.id not in stored]
            if missing:
                fresh = classifier.embedder.encode(
                    [_embed_text(a.title, a.text or a.summary) for a in missing]
                )
                stored.update(
                    {a.id: v for a, v in zip(missing, fresh, strict=True) if a.id is not None}
                )
                report["articles"]["embedded_here"] += len(missing)
            items = [
                {"title": a.title, "text": a.text or a.summary, "published": a.published_at}
                for a, _ in chunk
            ]
            results = _classify_each(items, classifier, np.stack([stored[i] for i in ids]), report)
            for (article, old), result in zip(chunk, results, strict=True):
                if result is None:
                    continue
                sig = old or ArticleSignal(article_id=article.id)  # type: ignore[arg-type]
                s = result["signal"]
                sig.relevant, sig.topics, sig.primary_topic = (
                    result["relevant"],
                    result["topics"],
                    result["primary_topic"],
                )
                sig.label, sig.subtype, sig.confidence = s["label"], s["subtype"], s["confidence"]
                sig.evidence, sig.attribution = s["evidence"], s["attribution"]
                sig.text_hash = text_hash(article.title, article.text)
                sig.classifier_version = CLASSIFIER_VERSION
                sig.computed_at = datetime.now(UTC)
                session.add(sig)
                report["articles"]["classified"] += 1
                report["articles"]["relevant"] += int(result["relevant"])
                report["articles"]["labels"][s["label"]] = (
                    report["articles"]["labels"].get(s["label"], 0) + 1
                )
                if article.story_id is not None:
                    touched.add(article.story_id)
            session.commit()


def _classify_each(
    items: list[dict[str, Any]],
    classifier: TopicClassifier,
    vectors: np.ndarray,
    report: dict[str, Any],
) -> list[dict[str, Any] | None]:
    """Classify a batch; if the batch fails, retry item by item and count each failure by reason."""
    try:
        return list(classify_texts(items, classifier, vectors))
    except Exception:  # noqa: BLE001  one bad article must not stop the run
        pass
    out: list[dict[str, Any] | None] = []
    for i, item in enumerate(items):
        try:
            out.append(classify_texts([item], classifier, vectors[i : i + 1])[0])
        except Exception as exc:  # noqa: BLE001
            reason = type(exc).__name__
            bucket = report["articles"]["failed_by_reason"]
            bucket[reason] = bucket.get(reason, 0) + 1
            report["articles"]["failed"] += 1
            out.append(None)
    return out


def update_stories(session: Session, touched: set[int], now: datetime) -> dict[str, int]:
    """Re-aggregate touched stories and re-rank all recent ones."""
    stories = session.exec(
        select(Story).where(
            (Story.id.in_(touched))
            | (Story.signals_at.is_(None))  # type: ignore[union-attr,attr-defined]
            | (Story.last_seen_at >= now - RERANK_WINDOW)  # type: ignore[operator]
        )
    ).all()
    weights = {s.id: s.weight for s in session.exec(select(Source)).all()}
    updated = ranked = 0
    for story in stories:
        arts = session.exec(select(Article).where(Article.story_id == story.id)).all()
        sigs = (
            session.exec(
                select(ArticleSignal).where(ArticleSignal.article_id.in_([a.id for a in arts]))  # type: ignore[attr-defined]
            ).all()
            if arts
            else []
        )
        if story.id in touched or story.signals_at is None:
            agg = aggregate_story(sigs)
            for key, value in agg.items():
                setattr(story, key, value)
            story.signals_at = now
            updated += 1
        facts = StoryFacts(
            outlets={a.source_id or a.site_name or a.url for a in arts},
            source_weights=[weights.get(a.source_id, 1.0) for a in arts],
            article_times=[
                a.published_at or a.first_seen_at for a in arts if a.published_at or a.first_seen_at
            ],
            first_seen_at=story.first_seen_at,
            relevant=story.relevant is not False,
            label=story.label,
        )
        story.importance = compute_importance(facts, now)
        session.add(story)
        ranked += 1
    session.commit()
    return {"updated": updated, "ranked": ranked}


def classify_pending(
    engine: Engine,
    settings: Settings,
    *,
    stop: threading.Event | None = None,
    embedder: Embedder | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Signals for new or changed articles, then story aggregation and importance; stores a Run."""
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    embedder = embedder or load_embedder(settings.embedding_model)
    classifier = get_topic_classifier(embedder, settings.extra.get("BRIEFING_TAXONOMY"))
    report: dict[str, Any] = {
        "started_at": started.isoformat(),
        "interrupted": False,
        "articles": {
            "pending": 0,
            "classified": 0,
            "failed": 0,
            "failed_by_reason": {},
            "relevant": 0,
            "labels": {},
            "embedded_here": 0,
        },
        "stories": {"updated": 0, "ranked": 0},
    }
    with session_scope(engine) as session:
        run = Run(kind="signals", status="running", started_at=started)
        session.add(run)
        session.commit()
        report["run_id"] = run.id
        touched = classify_articles_pending(session, classifier, report, stop)
        if not report["interrupted"]:
            report["stories"] = update_stories(session, touched, now or datetime.now(UTC))
        finished = datetime.now(UTC)
        report["finished_at"] = finished.isoformat()
        report["duration_s"] = round(time.perf_counter() - t0, 3)
        run.status = "interrupted" if report["interrupted"] else "ok"
        run.finished_at = finished
        run.report = report
        session.add(run)
    return report


def format_report(report: dict[str, Any]) -> str:
    """One line: ``classified=12 failed=0 relevant=10 deployment=3 hype=5 neither=4 stories=+2``."""
    a = report["articles"]
    labels = " ".join(f"{k}={v}" for k, v in sorted(a["labels"].items()))
    failed = f"failed={a['failed']}" + (f"{a['failed_by_reason']}" if a["failed"] else "")
    return (
        f"classified={a['classified']} {failed} relevant={a['relevant']} {labels} "
        f"stories={report['stories']['updated']} ranked={report['stories']['ranked']}"
        + (" interrupted" if report["interrupted"] else "")
    ).replace("  ", " ")
