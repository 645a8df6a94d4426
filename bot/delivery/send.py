"""The delivery stage: build each audience's digest and send it, exactly once, with a log.

Order of work per recipient: first retry its unfinished delivery (pending, or failed and due);
only when none is outstanding is a new digest built. A ``deliveries`` row is written *before*
anything is sent and marked sent (with the Slack ts or Message-ID) right after, and a Slack
thread records each posted part, so re-running after a crash or a partial failure sends what
is missing and nothing twice. Failures are recorded per recipient and retried with backoff.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.briefing.build import as_utc, build_digest, story_count
from bot.briefing.render_email import render_email
from bot.briefing.render_slack import render_slack
from bot.config import Settings
from bot.delivery.email import SmtpSender, build_message, email_configured
from bot.delivery.lock import send_lock
from bot.delivery.slack import SlackPoster, make_poster, post_messages, slack_configured
from bot.delivery.subscribers import make_unsubscribe_token, unsubscribe_url
from bot.errors import ConfigError, DeliveryError, UsageError
from bot.store.db import session_scope
from bot.store.models import Delivery, Digest, Run, Subscriber

MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
LOOKBACK = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
SLACK_AUDIENCE = "slack"


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts``: 5 min, 10, 20, ... capped at 6 h."""
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def is_due(frequency: str, tz: str, last_sent_at: datetime | None, now: datetime) -> bool:
    """Daily: not yet sent on this local calendar day; weekly: at least 7 local days since."""
    if last_sent_at is None:
        return True
    zone = ZoneInfo(tz or "UTC")
    days = (now.astimezone(zone).date() - last_sent_at.astimezone(zone).date()).days
    return days >= (7 if frequency == "weekly" else 1)


def _outstanding(session: Session, channel: str, recipient: str) -> Delivery | None:
    return session.exec(
        select(Delivery)
        .where(Delivery.channel == channel, Delivery.recipient == recipient)
        .where(col(Delivery.status).in_(["pending", "failed"]))
        .where(col(Delivery.next_attempt_at).is_not(None))
        .order_by(col(Delivery.id))
    ).first()


def _last_sent_at(session: Session, channel: str, recipient: str) -> datetime | None:
    row = session.exec(
        select(Delivery.sent_at)
        .where(Delivery.channel == channel, Delivery.recipient == recipient)
        .where(Delivery.status == "sent")
        .order_by(col(Delivery.sent_at).desc())
    ).first()
    return as_utc(row)


def _update(engine: Engine, delivery_id: int, **values: Any) -> None:
    with session_scope(engine) as session:
        row = session.get(Delivery, delivery_id)
        if row is not None:
            for key, value in values.items():
                setattr(row, key, value)
            session.add(row)


def _record_failure(engine: Engine, delivery_id: int, error: str, now: datetime) -> dict[str, Any]:
    with session_scope(engine) as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        row.attempts += 1
        row.status, row.last_error = "failed", error[:500]
        retry_at = None if row.attempts >= MAX_ATTEMPTS else now + backoff(row.attempts)
        row.next_attempt_at = retry_at
        session.add(row)
        return {"attempts": row.attempts, "retry_at": retry_at.isoformat() if retry_at else None}


def _new_delivery(
    engine: Engine, digest_id: int, channel: str, recipient: str, now: datetime
) -> int:
    with session_scope(engine) as session:
        row = Delivery(digest_id=digest_id, channel=channel, recipient=recipient, status="pending",
                       next_attempt_at=now, created_at=now)  # fmt: skip
        session.add(row)
        session.flush()
        return row.id or 0


def _content(engine: Engine, digest_id: int) -> dict[str, Any]:
    with session_scope(engine) as session:
        digest = session.get(Digest, digest_id)
        return dict(digest.content) if digest is not None else {}


class _Report:
    def __init__(self, dry_run: bool) -> None:
        self.items: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.dry_run = dry_run

    def add(self, channel: str, recipient: str, status: str, **extra: Any) -> None:
        self.items.append({"channel": channel, "recipient": recipient, "status": status, **extra})

    def as_dict(self, started: datetime, finished: datetime) -> dict[str, Any]:
        totals: dict[str, int] = {}
        for item in self.items:
            totals[item["status"]] = totals.get(item["status"], 0) + 1
        return {"started_at": started.isoformat(), "finished_at": finished.isoformat(),
                "duration_s": round((finished - started).total_seconds(), 3),
                "dry_run": self.dry_run, "totals": totals, "deliveries": self.items,
                "notes": self.notes}  # fmt: skip


def _send_slack(
    engine: Engine, poster: SlackPoster, delivery_id: int, now: datetime, report: _Report
) -> None:
    with session_scope(engine) as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        start, head_ts, digest_id = row.parts_sent, row.external_id, row.digest_id
    messages = render_slack(_content(engine, digest_id))

    def posted(index: int, ts: str | None) -> None:
        _update(engine, delivery_id, parts_sent=index + 1, external_id=ts)

    try:
        ts = post_messages(poster, messages, start=start, thread_ts=head_ts, on_posted=posted)
    except DeliveryError as exc:
        retry = _record_failure(engine, delivery_id, str(exc), now)
        report.add(
            "slack", poster.recipient, "failed", digest_id=digest_id, error=str(exc), **retry
        )
        return
    _update(engine, delivery_id, status="sent", sent_at=now, next_attempt_at=None,
            last_error=None, external_id=ts)  # fmt: skip
    report.add("slack", poster.recipient, "sent", digest_id=digest_id, ts=ts,
               messages=len(messages), resumed_at_part=start or None)  # fmt: skip


def deliver_slack(
    engine: Engine, settings: Settings, now: datetime, dry_run: bool, report: _Report
) -> None:
    """Retry the outstanding Slack delivery, or build and send a new digest."""
    poster = make_poster(settings)
    with session_scope(engine) as session:
        pending = _outstanding(session, "slack", poster.recipient)
        if pending is not None:
            due = (as_utc(pending.next_attempt_at) or now) <= now
            pending_id, pending_digest = pending.id or 0, pending.digest_id
    if pending is not None:
        if not due:
            report.add("slack", poster.recipient, "waiting", digest_id=pending_digest)
        elif dry_run:
            report.add("slack", poster.recipient, "would_retry", digest_id=pending_digest)
        else:
            _send_slack(engine, poster, pending_id, now, report)
        return
    digest = build_digest(engine, settings, audience=SLACK_AUDIENCE, now=now, store=not dry_run)
    if story_count(digest) == 0:
        report.add("slack", poster.recipient, "skipped_empty", digest_id=digest["digest_id"])
        return
    if dry_run:
        messages = render_slack(digest)
        report.add("slack", poster.recipient, "would_send", messages=len(messages),
                   blocks=[len(m["blocks"]) for m in messages], stories=story_count(digest))  # fmt: skip
        return
    delivery_id = _new_delivery(engine, digest["digest_id"], "slack", poster.recipient, now)
    _send_slack(engine, poster, delivery_id, now, report)


def _send_email(engine: Engine, settings: Settings, sender: SmtpSender, delivery_id: int,
                email: str, now: datetime, report: _Report) -> None:  # fmt: skip
    with session_scope(engine) as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        digest_id = row.digest_id
    with session_scope(engine) as session:
        sub = session.exec(select(Subscriber).where(Subscriber.email == email)).first()
        tz = sub.timezone if sub is not None else None
    rendered = render_email(_content(engine, digest_id), unsubscribe_url(settings, email), tz)
    msg = build_message(settings, rendered, to=email, unsubscribe_url=unsubscribe_url(settings, email),
                        unsubscribe_token=make_unsubscribe_token(settings, email), now=now)  # fmt: skip
    try:
        message_id = sender.send(msg)
    except DeliveryError as exc:
        retry = _record_failure(engine, delivery_id, str(exc), now)
        report.add("email", email, "failed", digest_id=digest_id, error=str(exc), **retry)
        return
    _update(engine, delivery_id, status="sent", sent_at=now, next_attempt_at=None,
            last_error=None, external_id=message_id, parts_sent=1)  # fmt: skip
    report.add("email", email, "sent", digest_id=digest_id, message_id=message_id)


def check_email_settings(settings: Settings) -> None:
    """Raise ConfigError naming the first missing email setting."""
    if not settings.smtp_host:
        raise ConfigError("BRIEFING_SMTP_HOST is not set: email delivery is not configured")
    make_unsubscribe_token(settings, "check@example.com")  # needs BRIEFING_SECRET
    unsubscribe_url(settings, "check@example.com")  # needs BRIEFING_PUBLIC_URL
    if not settings.smtp_from:
        raise ConfigError("BRIEFING_SMTP_FROM is not set (the sender address of digest emails)")


def deliver_email(
    engine: Engine, settings: Settings, now: datetime, dry_run: bool, report: _Report
) -> None:
    """One message per active subscriber that is due, with that subscriber's topics and labels."""
    check_email_settings(settings)
    sender = SmtpSender(settings)
    try:
        with session_scope(engine) as session:
            subs = session.exec(select(Subscriber).order_by(col(Subscriber.email))).all()
            active = {s.email: s for s in subs if s.active}
            stale = session.exec(
                select(Delivery).where(Delivery.channel == "email")
                .where(col(Delivery.status).in_(["pending", "failed"]))
                .where(col(Delivery.recipient).not_in(list(active) or [""]))
            ).all()  # fmt: skip
            for row in stale:  # unsubscribed or removed since: never send
                row.status, row.next_attempt_at = "cancelled", None
                session.add(row)
                report.add("email", row.recipient, "cancelled", digest_id=row.digest_id)
        for email, sub in active.items():
            with session_scope(engine) as session:
                pending = _outstanding(session, "email", email)
                last = _last_sent_at(session, "email", email)
                pending_info = (pending.id or 0, pending.digest_id, as_utc(pending.next_attempt_at)) if pending else None  # fmt: skip
            if pending_info is not None:
                pid, pdigest, next_at = pending_info
                if next_at is not None and next_at > now:
                    report.add("email", email, "waiting", digest_id=pdigest)
                elif dry_run:
                    report.add("email", email, "would_retry", digest_id=pdigest)
                else:
                    _send_email(engine, settings, sender, pid, email, now, report)
                continue
            if not is_due(sub.frequency, sub.timezone, last, now):
                report.add("email", email, "not_due", frequency=sub.frequency)
                continue
            digest = build_digest(
                engine, settings, audience=f"email:{email}", now=now, topics=sub.topics or None,
                labels=sub.labels or None, lookback=LOOKBACK.get(sub.frequency, LOOKBACK["daily"]),
                store=not dry_run,
            )  # fmt: skip
            if story_count(digest) == 0:
                report.add("email", email, "skipped_empty", digest_id=digest["digest_id"])
            elif dry_run:
                rendered = render_email(digest, unsubscribe_url(settings, email), sub.timezone)
                report.add("email", email, "would_send", subject=rendered.subject,
                           stories=story_count(digest))  # fmt: skip
            else:
                delivery_id = _new_delivery(engine, digest["digest_id"], "email", email, now)
                _send_email(engine, settings, sender, delivery_id, email, now, report)
    finally:
        sender.close()


def _deliver_all(
    engine: Engine, settings: Settings, to: str, now: datetime, dry_run: bool, report: _Report
) -> None:
    if to in {"all", "slack"}:
        if slack_configured(settings) or to == "slack" or settings.slack_token:
            deliver_slack(engine, settings, now, dry_run, report)
        else:
            report.notes.append(
                "slack: not configured (BRIEFING_SLACK_TOKEN/CHANNEL or WEBHOOK_URL)"
            )
    if to in {"all", "email"}:
        if email_configured(settings) or to == "email":
            deliver_email(engine, settings, now, dry_run, report)
        else:
            report.notes.append("email: not configured (BRIEFING_SMTP_HOST)")


def send_digests(
    engine: Engine, settings: Settings, *, to: str = "all", dry_run: bool = False,
    now: datetime | None = None, lock_wait_s: float = 60.0,
) -> dict[str, Any]:  # fmt: skip
    """Deliver due digests to Slack and/or email subscribers; returns the run report."""
    if to not in {"all", "slack", "email"}:
        raise UsageError(f"--to: expected slack, email or all, got {to!r}")
    now = as_utc(now) or datetime.now(UTC)
    started = datetime.now(UTC)
    report = _Report(dry_run)
    # check every channel's settings before anything goes out, so a bad setting never
    # leaves one channel sent and the other not
    if to == "email" or (to == "all" and email_configured(settings)):
        check_email_settings(settings)
    if to == "slack" or (to == "all" and (slack_configured(settings) or settings.slack_token)):
        make_poster(settings)
    with send_lock(engine, lock_wait_s) if not dry_run else nullcontext():
        _deliver_all(engine, settings, to, now, dry_run, report)
    result = report.as_dict(started, datetime.now(UTC))
    if not dry_run:
        with session_scope(engine) as session:
            failed = result["totals"].get("failed", 0)
            run = Run(kind="delivery", status="failed" if failed else "ok", started_at=started,
                      finished_at=datetime.now(UTC), report=result)  # fmt: skip
            session.add(run)
            session.flush()
            result["run_id"] = run.id
    return result
