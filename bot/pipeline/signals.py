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
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.pipeline.embed import Embedder, load_embedder
from bot.pipeline.evidence import aggregate_story, label_article
from bot.pipeline.rank import StoryFacts, compute_importance
from bot.pipeline.topics import TopicClassifier, get_topic_classifier
from bot.store.db import session_scope
from bot.store.models import Article, ArticleSignal, Embedding, Run, Source, Story

CLASSIFIER_VERSION = (
    "signals-19"  # 2: learned claim model beside the rules; 3: cue words in non-claim roles;
    # 4: main-clause "will", rival-model comparisons, signed executive orders; model refit on 3x real rows;
    # 5: counterfactual "would have", letters of intent, "for the next N years", more usage nouns;
    # 6: cue words in another sense (aircraft pilots, court trials, household bills, released
    #    statements, launched investigations), trailing "..., the company announced", "completed a rollout"
    # 7: a text of one sentence (or a headline alone) takes that sentence's label and confidence
    # 8: enforcement and court actions (rulings, sanctions, arrests, revocations, regulators' suits)
    #    are enacted; a plan or hedge after them is about something else; actions "taken to ban";
    #    a bill through one chamber is a proposal; capitalised names ("RAISE Act") are no cues
    # 9: commentary on a reported event ("the proposal illustrates"), departures, direct questions
    #    and "footing the bill" are no claims; a hedged quantity is a forecast; a warning only when it
    #    predicts; an installed base reached ("brought X to 200 million devices") is deployment
    # 10: a launch as a time reference ("two years after X launched"), "whether" after a question or
    #    doubt, "serves as a", "operational costs", "role in training" are no claims; "moved beyond
    #    pilots" denies the trap; a regulator named in full or "faces a federal investigation" acts
    # 11: an article whose headline or opening reports a trial: usage and outcomes under it are the
    #    trial's (announcement, benchmark); "after a successful pilot, rolled out to..." is deployment
    # 12: event cues (bot.pipeline.claim_events): priced deals and capacity deals are funding, results
    #    from research settings are benchmarks, availability on a later date and launches pushed back
    #    are announcements, authorities' warnings, penalties, suspensions and charges are enacted
    # 13: US rulemaking wording (notices of inquiry or proposed rulemaking, formal requests for comment,
    #    "seeks comment", comment periods) is a proposal; an offer "in the near future" is announced
    # 14: testing programmes are trials; "every day" is operation only with a technology in the
    #    sentence; a passive headline plan ("X to be predicted by AI") is announced
    # 15: "agencies must now ..." is an obligation in force (not "we must now"); "not mandated" /
    #    "not binding" is non-binding, a proposal
    # 16: a template, guidance, code, roadmap or strategy that an authority publishes is a proposal
    # 17: "saw the launch of" is announced; "may soon" is a forecast; regulators asking for comments,
    #    recommending that a legislature act, floating rules, or texts with no legal force are
    #    proposals; "in talks to", a leaked roadmap or memo and "coming in the first half" are announced
    # 18: a software framework is no policy framework; "runs on a laptop" is a requirement, not
    #    operation; "already supporting operations" is; a figure right after a trial sentence is the trial's
    # 19: "are now responsible for writing", "is using AI to", "already online", a chatbot that "handles
    #    claims", workers who "have lost their jobs": operation and work done
)
BATCH = 256
RERANK_WINDOW = timedelta(days=14)


def text_hash(title: str | None, text: str | None) -> str:
    """Hash of what the signals depend on (title and text)."""
    return hashlib.sha256(f"{title or ''}\n{text or ''}".encode()).hexdigest()[:32]


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
            sig: dict[str, Any] = {
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
        .where(col(Article.id) > after_id)
        .where(  # candidates only; the text hash decides (updated_at moves on every re-crawl)
            col(ArticleSignal.article_id).is_(None)
            | (col(ArticleSignal.classifier_version) != CLASSIFIER_VERSION)
            | col(Article.updated_at).is_(None)
            | (col(Article.updated_at) > col(ArticleSignal.computed_at))
        )
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


def _outlet(article: Article) -> str:
    """Outlet identity: the registrable domain of the article's URL (copies on one site count once)."""
    try:
        from bot.pipeline.outlets import registrable_domain
    except ImportError:  # outlets.py arrives with the stories stage
        return urlsplit(article.canonical_url or article.url).hostname or str(article.source_id)
    return registrable_domain(article.canonical_url or article.url) or str(article.source_id)


def update_stories(session: Session, touched: set[int], now: datetime) -> dict[str, int]:
    """Re-aggregate touched stories and re-rank all recent ones."""
    stories = session.exec(
        select(Story).where(
            col(Story.id).in_(touched)
            | col(Story.signals_at).is_(None)
            | (col(Story.last_seen_at) >= now - RERANK_WINDOW)
        )
    ).all()
    weights = {s.id: s.weight for s in session.exec(select(Source)).all()}
    updated = ranked = 0
    for story in stories:
        arts = session.exec(select(Article).where(Article.story_id == story.id)).all()
        # near-duplicates (one wire story republished) vote once, through their canonical article
        voters = [a.id for a in arts if a.duplicate_of is None] or [a.id for a in arts]
        sigs = (
            session.exec(
                select(ArticleSignal).where(col(ArticleSignal.article_id).in_(voters))
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
            outlets={_outlet(a) for a in arts},
            source_weights=[weights.get(a.source_id, 1.0) for a in arts],
            article_times=[t for a in arts if (t := a.published_at or a.first_seen_at) is not None],
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
