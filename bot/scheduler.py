"""The unattended daemon (`briefing serve`): APScheduler 3.x with its job store in our database.

Jobs (ids are stable, so a restart finds them in the store with their next run times):

- ``crawl:<slug>`` every source's interval (``interval:`` in sources.yaml; default 30 min or
  ``BRIEFING_CRAWL_INTERVAL``): crawl that source, then cluster and classify what is pending.
  Pipeline stages run one at a time (a lock), since they share the pending-work queues.
- ``digest:slack`` at ``BRIEFING_SLACK_DIGEST_CRON`` (default ``0 8 * * *``) in
  ``BRIEFING_SLACK_TIMEZONE`` (default UTC), when Slack is configured.
- ``digest:email:<zone>`` at ``BRIEFING_EMAIL_DIGEST_CRON`` (default ``0 8 * * *``) in each time
  zone that active subscribers have; the delivery stage sends to whoever is due (daily/weekly).
- ``refresh`` every minute: re-reads sources.yaml and the subscribers' time zones and adds,
  changes or removes the jobs above.

Every job is coalesced (missed runs fire once), has ``max_instances=1`` and a misfire grace
time (``BRIEFING_MISFIRE_GRACE``, default 300 s). A job that raises is recorded as a failed
``runs`` row (kind ``job``) with the error, and the daemon keeps going. SIGTERM/SIGINT set a
stop event that every stage receives: the current item is finished, nothing new starts, and the
process exits 0.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.errors import BotError, ConfigError
from bot.store.db import session_scope
from bot.store.models import Run, Subscriber

log = logging.getLogger("bot.scheduler")
DEFAULT_INTERVAL_S = 1800
DEFAULT_DIGEST_CRON = "0 8 * * *"
JOBSTORE_TABLE = "apscheduler_jobs"
REFRESH_EVERY_S = 60


@dataclass
class Runtime:
    """What job functions need; set by :func:`serve` (jobs run in this process's threads)."""

    engine: Engine
    settings: Settings
    stop: threading.Event
    pipeline_lock: threading.Lock


_RUNTIME: Runtime | None = None
_MODEL_READY = threading.Event()


def warm_up_model(settings: Settings) -> None:
    """Load the embedding model once, off the job threads (sets ``_MODEL_READY`` when done)."""
    try:
        from bot.pipeline.embed import load_embedder

        load_embedder(settings.embedding_model).encode(["warm up"])
    except Exception as exc:  # the stages report the model problem themselves
        log.warning("embedding model not loaded at start: %s", exc)
    finally:
        _MODEL_READY.set()


def _runtime() -> Runtime:
    if _RUNTIME is None:
        raise RuntimeError("scheduler jobs run only inside `briefing serve`")
    return _RUNTIME


@dataclass(frozen=True)
class JobSpec:
    """A job the daemon should have: ``signature`` changes when its schedule changes."""

    id: str
    func: str
    args: tuple[str, ...]
    kind: str  # interval | cron
    interval_s: int = 0
    cron: str = ""
    timezone: str = "UTC"
    run_now: bool = False

    @property
    def signature(self) -> str:
        when = (
            f"every {self.interval_s}s"
            if self.kind == "interval"
            else f"{self.cron} {self.timezone}"
        )
        return f"{self.id} [{when}]"

    def trigger(self) -> Any:
        """The APScheduler trigger of this job."""
        from apscheduler.triggers.interval import IntervalTrigger

        if self.kind == "interval":
            return IntervalTrigger(seconds=self.interval_s, timezone=UTC)
        return cron_trigger(self.cron, self.timezone)


def cron_trigger(cron: str, tz: str) -> Any:
    """A CronTrigger from a 5-field crontab (or 6 fields, seconds first, for tests)."""
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    if len(fields) == 6:
        second, minute, hour, day, month, dow = fields
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                           day_of_week=dow, timezone=ZoneInfo(tz))  # fmt: skip
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(tz))


# ---------------------------------------------------------------- planning


def _setting(settings: Settings, name: str, default: str) -> str:
    return (settings.extra.get(name) or "").strip() or default


def check_schedule(cron: str, tz: str, name: str) -> None:
    """Raise ConfigError naming ``name`` when a crontab or time zone is invalid."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}: unknown time zone {tz!r}") from None
    try:
        cron_trigger(cron, zone.key)
    except ValueError as exc:
        raise ConfigError(f"{name}: invalid crontab {cron!r} ({exc})") from None


def plan_jobs(engine: Engine, settings: Settings) -> list[JobSpec]:
    """The jobs the daemon should run now, from sources.yaml, settings and subscribers."""
    from bot.delivery.email import email_configured
    from bot.delivery.slack import slack_configured
    from bot.sources import load_sources, parse_duration, sync_sources

    default_s = parse_duration(
        _setting(settings, "BRIEFING_CRAWL_INTERVAL", str(DEFAULT_INTERVAL_S))
    )
    specs = load_sources(settings.sources_path)
    with session_scope(engine) as session:
        sync_sources(session, specs)
    jobs = [
        JobSpec(
            id=f"crawl:{s.slug}",
            func="bot.scheduler:run_crawl_job",
            args=(s.slug,),
            kind="interval",
            interval_s=max(1, s.interval_s or default_s),
            run_now=True,
        )  # fmt: skip
        for s in specs
        if getattr(s, "active", True)
    ]
    if slack_configured(settings):
        cron = _setting(settings, "BRIEFING_SLACK_DIGEST_CRON", DEFAULT_DIGEST_CRON)
        tz = _setting(settings, "BRIEFING_SLACK_TIMEZONE", "UTC")
        check_schedule(cron, tz, "BRIEFING_SLACK_DIGEST_CRON/BRIEFING_SLACK_TIMEZONE")
        jobs.append(JobSpec(id="digest:slack", func="bot.scheduler:run_digest_job",
                            args=("slack", "digest:slack"), kind="cron", cron=cron, timezone=tz))  # fmt: skip
    if email_configured(settings):
        cron = _setting(settings, "BRIEFING_EMAIL_DIGEST_CRON", DEFAULT_DIGEST_CRON)
        check_schedule(cron, "UTC", "BRIEFING_EMAIL_DIGEST_CRON")
        for tz in subscriber_zones(engine):
            jobs.append(JobSpec(id=f"digest:email:{tz}", func="bot.scheduler:run_digest_job",
                                args=("email", f"digest:email:{tz}"), kind="cron", cron=cron, timezone=tz))  # fmt: skip
    return jobs


def subscriber_zones(engine: Engine) -> list[str]:
    """Valid time zones of active subscribers (an unknown zone falls back to UTC)."""
    from sqlmodel import select

    zones: set[str] = set()
    with session_scope(engine) as session:
        for tz in session.exec(select(Subscriber.timezone).where(Subscriber.active == True)):  # noqa: E712
            try:
                ZoneInfo(tz or "UTC")
                zones.add(tz or "UTC")
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("subscriber time zone %r unknown; using UTC", tz)
                zones.add("UTC")
    return sorted(zones)


def sync_jobs(scheduler: Any, specs: list[JobSpec]) -> dict[str, int]:
    """Make the scheduler's jobs match ``specs``; unchanged jobs keep their next run time."""
    wanted = {s.id: s for s in specs}
    counts = {"kept": 0, "added": 0, "changed": 0, "removed": 0}
    for job in scheduler.get_jobs():
        if job.id == "refresh":
            continue
        if job.id not in wanted:
            scheduler.remove_job(job.id)
            counts["removed"] += 1
    existing = {job.id: job for job in scheduler.get_jobs()}
    for spec in specs:
        job = existing.get(spec.id)
        if job is not None and job.name == spec.signature:
            counts["kept"] += 1
            continue
        extra = {"next_run_time": datetime.now(UTC)} if spec.run_now else {}
        scheduler.add_job(spec.func, trigger=spec.trigger(), args=list(spec.args), id=spec.id,
                          name=spec.signature, replace_existing=True, **extra)  # fmt: skip
        counts["changed" if job is not None else "added"] += 1
    return counts


# ---------------------------------------------------------------- jobs


@contextmanager
def record_job(engine: Engine, job_id: str, stop: threading.Event) -> Iterator[dict[str, Any]]:
    """A ``runs`` row for one job execution: ok, interrupted, or failed with the error."""
    started = datetime.now(UTC)
    with session_scope(engine) as session:
        run = Run(kind="job", status="running", started_at=started, report={"job": job_id})
        session.add(run)
        session.flush()
        run_id = run.id
    report: dict[str, Any] = {"job": job_id}
    status = "ok"
    t0 = time.monotonic()
    try:
        yield report
        if stop.is_set():
            status = "interrupted"
    except Exception as exc:  # a failing job is recorded; the daemon keeps running
        status = "failed"
        report["error"] = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, BotError):
            report["traceback"] = traceback.format_exc(limit=8)
    report["duration_s"] = round(time.monotonic() - t0, 3)
    try:
        with session_scope(engine) as session:
            row = session.get(Run, run_id)
            if row is not None:
                row.status, row.finished_at, row.report = status, datetime.now(UTC), report
                session.add(row)
    except Exception:  # the database itself failed: say so in the log, keep the daemon up
        log.exception("could not record job %s", job_id)
    level = logging.WARNING if status == "failed" else logging.INFO
    log.log(level, "job %s %s", job_id, status,
            extra={"job": job_id, "status": status, "run_id": run_id, "report": _brief(report)})  # fmt: skip


def _brief(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "traceback"}


def _summary(stage_report: Any) -> Any:
    if not isinstance(stage_report, dict):
        return stage_report
    keep = ("run_id", "totals", "status", "interrupted", "error")
    out = {k: stage_report[k] for k in keep if k in stage_report}
    return out or {k: v for k, v in stage_report.items() if isinstance(v, int | float | str)}


def _optional_stage(module: str, name: str) -> Callable[..., Any] | None:
    import importlib

    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        return None


def _acquire(lock: threading.Lock, stop: threading.Event) -> bool:
    while not lock.acquire(timeout=0.2):
        if stop.is_set():
            return False
    return True


def run_crawl_job(slug: str) -> None:
    """Crawl one source, then cluster and classify pending work (stages one at a time)."""
    rt = _runtime()
    with record_job(rt.engine, f"crawl:{slug}", rt.stop) as report:
        if not _acquire(rt.pipeline_lock, rt.stop):
            report["skipped"] = "stopping"
            return
        try:
            from bot.pipeline.crawl import crawl_sources

            report["crawl"] = _summary(
                crawl_sources(rt.engine, rt.settings, slugs=[slug], stop=rt.stop)
            )
            # The model loads once in the background at start; a stop while it loads must not
            # wait for it (the pending work stays pending for the next run).
            while not _MODEL_READY.wait(0.2):
                if rt.stop.is_set():
                    break
            for stage, module, name in (
                ("cluster", "bot.pipeline.cluster", "cluster_pending"),
                ("signals", "bot.pipeline.signals", "classify_pending"),
            ):
                if rt.stop.is_set():
                    break
                func = _optional_stage(module, name)
                if func is None:
                    report[stage] = "not available"
                    continue
                report[stage] = _summary(func(rt.engine, rt.settings, stop=rt.stop))
        finally:
            rt.pipeline_lock.release()


def run_digest_job(to: str, job_id: str | None = None) -> None:
    """Send the due digests of one channel (``slack`` or ``email``)."""
    from bot.delivery.send import send_digests

    rt = _runtime()
    with record_job(rt.engine, job_id or f"digest:{to}", rt.stop) as report:
        if rt.stop.is_set():
            report["skipped"] = "stopping"
            return
        result = send_digests(rt.engine, rt.settings, to=to, now=datetime.now(UTC))
        report["delivery"] = {"run_id": result.get("run_id"), "totals": result.get("totals"),
                              "notes": result.get("notes")}  # fmt: skip


def run_refresh_job() -> None:
    """Re-plan jobs from sources.yaml and subscribers (a broken file keeps the old jobs)."""
    rt = _runtime()
    if _SCHEDULER is None or rt.stop.is_set():
        return
    try:
        counts = sync_jobs(_SCHEDULER, plan_jobs(rt.engine, rt.settings))
    except BotError as exc:
        log.error("refresh: keeping the current jobs: %s", exc, extra={"job": "refresh"})
        return
    if counts["added"] or counts["changed"] or counts["removed"]:
        log.info("refresh: jobs %s", counts, extra={"job": "refresh", **counts})


# ---------------------------------------------------------------- the daemon

_SCHEDULER: Any = None


def make_scheduler(engine: Engine, settings: Settings) -> Any:
    """A BackgroundScheduler with the SQLAlchemy job store in our database."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    grace = int(_setting(settings, "BRIEFING_MISFIRE_GRACE", "300"))
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=UTC,
    )


def serve(
    engine: Engine, settings: Settings, *, stop: threading.Event | None = None,
    handle_signals: bool = True, stop_timeout_s: float = 15.0,
) -> int:  # fmt: skip
    """Run the daemon until SIGTERM/SIGINT (or ``stop``); returns the exit code (0)."""
    global _RUNTIME, _SCHEDULER
    from bot.daemon_lock import DaemonLock

    stop = stop or threading.Event()
    os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in daemon logs
    with DaemonLock(engine):
        specs = plan_jobs(engine, settings)  # config errors surface before anything starts
        _RUNTIME = Runtime(engine, settings, stop, threading.Lock())
        scheduler = make_scheduler(engine, settings)
        _SCHEDULER = scheduler
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda signum, _frame: _request_stop(stop, signum))
        warm_up = threading.Thread(
            target=warm_up_model, args=(settings,), daemon=True, name="warm-up"
        )
        warm_up.start()
        scheduler.start(paused=True)
        counts = sync_jobs(scheduler, specs)
        scheduler.add_job("bot.scheduler:run_refresh_job", "interval", seconds=REFRESH_EVERY_S,
                          id="refresh", name="refresh", replace_existing=True)  # fmt: skip
        scheduler.resume()
        log.info("daemon started: %d jobs", len(specs),
                 extra={"event": "started", "jobs": [s.signature for s in specs], **counts})  # fmt: skip
        try:
            while not stop.wait(0.5):
                pass
        finally:
            t0 = time.monotonic()
            scheduler.pause()
            scheduler.shutdown(wait=True)  # running jobs see `stop` and finish their item
            _SCHEDULER = None
            # a stop soon after the start finds the model still loading: exiting under torch's native
            # threads aborts the process ("terminate called without an active exception", exit -6)
            warm_up.join(max(0.0, stop_timeout_s - (time.monotonic() - t0)))
            log.info("daemon stopped in %.1f s", time.monotonic() - t0,
                     extra={"event": "stopped", "stop_s": round(time.monotonic() - t0, 2)})  # fmt: skip
            if time.monotonic() - t0 > stop_timeout_s:
                log.warning("stopping took longer than %.0f s", stop_timeout_s)
    return 0


def _request_stop(stop: threading.Event, signum: int) -> None:
    if not stop.is_set():
        log.info("received %s: finishing the current item", signal.Signals(signum).name,
                 extra={"event": "stopping", "signal": signal.Signals(signum).name})  # fmt: skip
    stop.set()
