"""Email subscribers, their preferences, and signed one-click unsubscribe tokens.

A token is ``base64url(email) "." base64url(HMAC-SHA256(BRIEFING_SECRET, "unsubscribe:" email))``;
verification uses a constant-time compare. Tokens never expire: an old email's link still works.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.briefing import LABELS, SUBTYPES
from bot.config import Settings
from bot.errors import ConfigError, UsageError
from bot.store.db import session_scope
from bot.store.models import Subscriber

FREQUENCIES = ("daily", "weekly")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_TOPIC = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


def normalize_email(email: str) -> str:
    """The address lower-cased and checked; raises UsageError when it is not an address."""
    value = (email or "").strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise UsageError(f"not an email address: {email!r}")
    return value


def _secret(settings: Settings) -> bytes:
    if not settings.secret:
        raise ConfigError("BRIEFING_SECRET is not set: it signs the unsubscribe links in emails")
    return settings.secret.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_unsubscribe_token(settings: Settings, email: str) -> str:
    """A token that unsubscribes ``email``; needs BRIEFING_SECRET."""
    email = normalize_email(email)
    mac = hmac.new(_secret(settings), f"unsubscribe:{email}".encode(), hashlib.sha256).digest()
    return f"{_b64(email.encode())}.{_b64(mac)}"


def verify_unsubscribe_token(settings: Settings, token: str) -> str:
    """The email a token was made for; raises UsageError when the token is not genuine."""
    secret = _secret(settings)
    try:
        left, right = (token or "").strip().split(".", 1)
        email = _unb64(left).decode()
        given = _unb64(right)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise UsageError("invalid unsubscribe token") from None
    expected = hmac.new(secret, f"unsubscribe:{email}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        raise UsageError("invalid unsubscribe token")
    return email


def unsubscribe_url(settings: Settings, email: str) -> str:
    """The one-click link: ``BRIEFING_PUBLIC_URL/unsubscribe?token=...``."""
    if not settings.public_url:
        raise ConfigError(
            "BRIEFING_PUBLIC_URL is not set: emails need it for their one-click unsubscribe link"
        )
    token = make_unsubscribe_token(settings, email)
    return f"{settings.public_url.rstrip('/')}/unsubscribe?token={quote(token)}"


def _check_prefs(
    topics: Sequence[str] | None,
    labels: Sequence[str] | None,
    frequency: str | None,
    tz: str | None,
) -> None:
    for topic in topics or []:
        if not _TOPIC.match(topic):
            raise UsageError(f"--topics: not a topic name: {topic!r} (e.g. models, chips)")
    for label in labels or []:
        if label not in LABELS + SUBTYPES:
            raise UsageError(f"--labels: {label!r} is not one of {', '.join(LABELS + SUBTYPES)}")
    if frequency is not None and frequency not in FREQUENCIES:
        raise UsageError(f"--frequency: expected daily or weekly, got {frequency!r}")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--timezone: unknown time zone {tz!r} (e.g. Europe/Berlin)") from None


def subscriber_dict(sub: Subscriber) -> dict[str, Any]:
    """A subscriber as JSON-able data."""
    return {
        "email": sub.email,
        "topics": list(sub.topics or []),
        "labels": list(sub.labels or []),
        "frequency": sub.frequency,
        "timezone": sub.timezone,
        "active": sub.active,
        "created_at": sub.created_at.isoformat() if sub.created_at else None,
        "unsubscribed_at": sub.unsubscribed_at.isoformat() if sub.unsubscribed_at else None,
    }


def _get(session: Session, email: str) -> Subscriber | None:
    return session.exec(select(Subscriber).where(Subscriber.email == email)).first()


def add_subscriber(
    engine: Engine,
    email: str,
    *,
    topics: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    frequency: str = "daily",
    timezone: str = "UTC",
) -> dict[str, Any]:
    """Subscribe ``email`` (re-subscribes an address that unsubscribed earlier)."""
    email = normalize_email(email)
    _check_prefs(topics, labels, frequency, timezone)
    with session_scope(engine) as session:
        sub = _get(session, email)
        if sub is not None and sub.active:
            raise UsageError(f"{email} is already subscribed; change it with `subscribers set`")
        if sub is None:
            sub = Subscriber(email=email, created_at=datetime.now(UTC))
        sub.topics, sub.labels = list(topics or []), list(labels or [])
        sub.frequency, sub.timezone = frequency, timezone
        sub.active, sub.unsubscribed_at = True, None
        session.add(sub)
        session.flush()
        return subscriber_dict(sub)


def list_subscribers(engine: Engine, *, active_only: bool = False) -> list[dict[str, Any]]:
    """All subscribers, by email."""
    with session_scope(engine) as session:
        query = select(Subscriber).order_by(col(Subscriber.email))
        if active_only:
            query = query.where(col(Subscriber.active).is_(True))
        return [subscriber_dict(s) for s in session.exec(query).all()]


def set_subscriber(
    engine: Engine,
    email: str,
    *,
    topics: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    frequency: str | None = None,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Change a subscriber's preferences; options left as None keep their value."""
    email = normalize_email(email)
    _check_prefs(topics, labels, frequency, timezone)
    with session_scope(engine) as session:
        sub = _get(session, email)
        if sub is None:
            raise UsageError(f"no subscriber {email}")
        if topics is not None:
            sub.topics = list(topics)
        if labels is not None:
            sub.labels = list(labels)
        if frequency is not None:
            sub.frequency = frequency
        if timezone is not None:
            sub.timezone = timezone
        session.add(sub)
        return subscriber_dict(sub)


def remove_subscriber(engine: Engine, email: str) -> None:
    """Delete a subscriber (their delivery log stays)."""
    email = normalize_email(email)
    with session_scope(engine) as session:
        sub = _get(session, email)
        if sub is None:
            raise UsageError(f"no subscriber {email}")
        session.delete(sub)


def unsubscribe(engine: Engine, settings: Settings, token: str) -> str:
    """Deactivate the subscriber a token names (idempotent); returns the email."""
    email = verify_unsubscribe_token(settings, token)
    with session_scope(engine) as session:
        sub = _get(session, email)
        if sub is not None and sub.active:
            sub.active = False
            sub.unsubscribed_at = datetime.now(UTC)
            session.add(sub)
    return email
