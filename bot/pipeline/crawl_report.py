"""The crawl run report: per-source counts, totals, a one-line-per-source text form, past runs.

Counts: ``fetched`` feeds requested (including 304s and failures), ``not_modified`` (304),
``failed`` (with ``failed_by_reason``), ``new``/``updated``/``unchanged`` articles, ``extracted``
pages and ``extraction_failed`` (with ``extraction_failed_by_reason``), ``deferred`` sources
skipped because a Retry-After or backoff has not passed yet.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.store.db import session_scope
from bot.store.models import Run

COUNT_KEYS = ("fetched", "not_modified", "failed", "new", "updated", "unchanged", "extracted")


def empty_source_report(slug: str, url: str) -> dict[str, Any]:
    """A source's report before anything happened."""
    rep: dict[str, Any] = {"slug": slug, "url": url, "status": "pending", "http_status": None}
    rep.update({key: 0 for key in COUNT_KEYS})
    rep.update(entries=0, extraction_failed=0, extraction_failed_by_reason={}, reason=None)
    return rep


def count_extraction(rep: dict[str, Any], reason: str | None) -> None:
    """Count one page extraction (``reason`` None means it succeeded)."""
    if reason is None:
        rep["extracted"] += 1
        return
    rep["extraction_failed"] += 1
    by = rep["extraction_failed_by_reason"]
    by[reason] = by.get(reason, 0) + 1


def build_report(
    run_id: int, started_at: datetime, sources: list[dict[str, Any]], status: str, pages: bool
) -> dict[str, Any]:
    """The whole run's report: per-source reports keyed by slug, and the totals."""
    finished_at = datetime.now(UTC)
    failed_by: Counter[str] = Counter(s["reason"] for s in sources if s.get("failed"))
    extraction_by: Counter[str] = Counter()
    for s in sources:
        extraction_by.update(s.get("extraction_failed_by_reason", {}))
    totals: dict[str, Any] = {key: sum(int(s.get(key, 0)) for s in sources) for key in COUNT_KEYS}
    totals.update(
        sources=len(sources),
        deferred=sum(1 for s in sources if s.get("status") == "deferred"),
        failed_by_reason=dict(sorted(failed_by.items())),
        extraction_failed=sum(int(s.get("extraction_failed", 0)) for s in sources),
        extraction_failed_by_reason=dict(sorted(extraction_by.items())),
    )
    return {
        "run_id": run_id,
        "kind": "crawl",
        "status": status,
        "interrupted": status == "interrupted",
        "fetch_pages": pages,
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "sources": {s["slug"]: s for s in sources},
        "totals": totals,
    }


def _by(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    return "{" + ",".join(f"{k}:{v}" for k, v in sorted(counts.items())) + "}"


def format_counts(c: dict[str, Any]) -> str:
    """``fetched=3 not_modified=1 failed=1{timeout:1} new=12 ...`` for a source or the totals."""
    parts = [
        f"fetched={c.get('fetched', 0)}",
        f"not_modified={c.get('not_modified', 0)}",
        f"failed={c.get('failed', 0)}" + _by(c.get("failed_by_reason") or {}),
        f"new={c.get('new', 0)}",
        f"updated={c.get('updated', 0)}",
        f"extracted={c.get('extracted', 0)}",
        f"extraction_failed={c.get('extraction_failed', 0)}"
        + _by(c.get("extraction_failed_by_reason") or {}),
    ]
    return " ".join(parts)


def format_report(report: dict[str, Any]) -> str:
    """A compact human summary: one line per source, then the totals."""
    sources = report.get("sources", {})
    width = max((len(slug) for slug in sources), default=4)
    lines = []
    for slug, s in sources.items():
        status = s.get("status", "")
        if s.get("reason"):
            status += f"({s['reason']})"
        line = f"{slug:<{width}}  {status:<22} {format_counts(s)} {s.get('duration_s', 0):.2f}s"
        lines.append(line)
    totals = report.get("totals", {})
    head = f"crawl run {report.get('run_id')} {report.get('status')}"
    if not report.get("fetch_pages", True):
        head += " (feeds only: article pages not fetched)"
    lines.append(
        f"{head}: sources={totals.get('sources', 0)} {format_counts(totals)} "
        f"deferred={totals.get('deferred', 0)} duration={report.get('duration_s', 0):.2f}s"
    )
    return "\n".join(lines)


def list_runs(engine: Engine, *, limit: int = 20, kind: str | None = None) -> list[dict[str, Any]]:
    """Past runs, newest first: each its stored report plus id, kind, status and times."""
    with session_scope(engine) as session:
        q = select(Run).order_by(col(Run.started_at).desc(), col(Run.id).desc()).limit(limit)
        if kind:
            q = q.where(Run.kind == kind)
        out = []
        for run in session.exec(q).all():
            report = dict(run.report or {})
            report.setdefault("run_id", run.id)
            report["kind"] = run.kind
            report["status"] = run.status
            report.setdefault("started_at", run.started_at.isoformat() if run.started_at else None)
            report.setdefault(
                "finished_at", run.finished_at.isoformat() if run.finished_at else None
            )
            out.append(report)
        return out
