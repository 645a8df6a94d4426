"""`briefing status`: is the daemon running, the next and last runs, failures and pending work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.config import Settings
from bot.store.models import Article, ArticleSignal, Delivery, Embedding, Run, Story

STAGE_KINDS = ("crawl", "cluster", "signals", "delivery")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _run_dict(run: Run) -> dict[str, Any]:
    report = run.report or {}
    return {
        "run_id": run.id,
        "kind": run.kind,
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "job": report.get("job"),
        "error": report.get("error"),
        "duration_s": report.get("duration_s"),
    }


def scheduled_jobs(engine: Engine) -> list[dict[str, Any]]:
    """Jobs in the daemon's job store with their next run time (empty before the first serve)."""
    from bot.scheduler import JOBSTORE_TABLE

    if not inspect(engine).has_table(JOBSTORE_TABLE):
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT id, next_run_time FROM {JOBSTORE_TABLE} ORDER BY next_run_time")
        ).all()
    return [
        {"id": r[0], "next_run_at": _iso(datetime.fromtimestamp(r[1], UTC)) if r[1] else None}
        for r in rows
    ]


def pending_work(engine: Engine, settings: Settings) -> dict[str, int]:
    """Counts of work each stage has not done yet."""
    from bot.pipeline.embed import DEFAULT_MODEL_ID

    model = settings.embedding_model or DEFAULT_MODEL_ID
    live = col(Article.duplicate_of).is_(None)
    no_emb = (
        ~select(col(Embedding.article_id))
        .where(col(Embedding.article_id) == col(Article.id), col(Embedding.model) == model)
        .exists()
    )
    no_sig = (
        ~select(col(ArticleSignal.article_id))
        .where(col(ArticleSignal.article_id) == col(Article.id))
        .exists()
    )

    def count(stmt: Any) -> int:
        with engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    return {
        "articles_pending_extraction": count(
            select(func.count())
            .select_from(Article)
            .where(col(Article.extraction_status) == "pending")
        ),
        "articles_pending_embedding": count(
            select(func.count()).select_from(Article).where(live, no_emb)
        ),
        "articles_unclustered": count(
            select(func.count()).select_from(Article).where(col(Article.clustered_at).is_(None))
        ),
        "articles_pending_signals": count(select(func.count()).select_from(Article).where(no_sig)),
        "stories_pending_signals": count(
            select(func.count()).select_from(Story).where(col(Story.signals_at).is_(None))
        ),
        "deliveries_pending": count(
            select(func.count())
            .select_from(Delivery)
            .where(
                and_(
                    col(Delivery.status).in_(["pending", "failed"]),
                    col(Delivery.next_attempt_at).is_not(None),
                )
            )
        ),
    }


def collect_status(
    engine: Engine, settings: Settings, *, now: datetime | None = None
) -> dict[str, Any]:
    """Everything `briefing status` shows, as a JSON-ready dict."""
    from sqlmodel import Session

    from bot.daemon_lock import daemon_running, read_holder

    now = now or datetime.now(UTC)
    running = daemon_running(engine)
    holder = read_holder(engine) if running else None
    with Session(engine) as session:
        recent_runs = list(
            session.execute(
                select(Run).order_by(col(Run.started_at).desc(), col(Run.id).desc()).limit(2000)
            ).scalars()
        )
    last_by_job: dict[str, dict[str, Any]] = {}
    last_by_kind: dict[str, dict[str, Any]] = {}
    for run in recent_runs:
        if run.kind == "job":
            job = (run.report or {}).get("job")
            if job and job not in last_by_job:
                last_by_job[job] = _run_dict(run)
        elif run.kind not in last_by_kind:
            last_by_kind[run.kind] = _run_dict(run)
    day_ago = now - timedelta(days=1)
    failures = [
        _run_dict(r)
        for r in recent_runs
        if r.status == "failed"
        and r.started_at is not None
        and (r.started_at if r.started_at.tzinfo else r.started_at.replace(tzinfo=UTC)) >= day_ago
    ]
    jobs = scheduled_jobs(engine)
    for job in jobs:
        job["last_run"] = last_by_job.get(job["id"])
    return {
        "now": now.isoformat(),
        "daemon": {
            "running": running,
            "pid": (holder or {}).get("pid"),
            "started_at": (holder or {}).get("started_at"),
        },
        "jobs": jobs,
        "last_runs": {k: last_by_kind.get(k) for k in sorted(set(STAGE_KINDS) | set(last_by_kind))},
        "failures_24h": {"count": len(failures), "latest": failures[:10]},
        "pending": pending_work(engine, settings),
    }
