"""Digest history: what was built for whom, and how its deliveries went."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.briefing.build import as_utc
from bot.store.db import session_scope
from bot.store.models import Delivery, Digest


def list_digests(
    engine: Engine, *, limit: int = 20, audience: str | None = None
) -> list[dict[str, Any]]:
    """The newest digests first, each with its story count and delivery statuses."""
    with session_scope(engine) as session:
        query = select(Digest).order_by(col(Digest.created_at).desc(), col(Digest.id).desc())
        if audience:
            query = query.where(Digest.audience == audience)
        digests = session.exec(query.limit(limit)).all()
        ids = [d.id for d in digests]
        deliveries = session.exec(
            select(Delivery).where(col(Delivery.digest_id).in_(ids)).order_by(col(Delivery.id))
        ).all() if ids else []  # fmt: skip
        by_digest: dict[int, list[dict[str, Any]]] = {}
        for d in deliveries:
            by_digest.setdefault(d.digest_id, []).append(
                {
                    "channel": d.channel,
                    "recipient": d.recipient,
                    "status": d.status,
                    "attempts": d.attempts,
                    "sent_at": _iso(d.sent_at),
                    "external_id": d.external_id,
                    "last_error": d.last_error,
                }
            )
        return [
            {
                "id": d.id,
                "audience": d.audience,
                "created_at": _iso(d.created_at),
                "period_start": _iso(d.period_start),
                "period_end": _iso(d.period_end),
                "stories": len(d.story_ids or []),
                "story_ids": list(d.story_ids or []),
                "deliveries": by_digest.get(d.id or 0, []),
            }
            for d in digests
        ]


def _iso(value: Any) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None
