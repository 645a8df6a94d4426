"""Settings, read from ``BRIEFING_*`` environment variables only (never from committed files)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

DEFAULT_USER_AGENT = "briefing/0.1 (+https://github.com/briefing-bot/briefing; AI news digest bot)"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected an integer, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """All runtime settings. Build with :meth:`from_env`."""

    home: Path = Path("storage")
    database_url: str = ""
    sources_path: Path = Path("sources.yaml")
    allow_private_networks: bool = False
    user_agent: str = DEFAULT_USER_AGENT
    embedding_model: str | None = None
    secret: str | None = None
    public_url: str | None = None
    slack_token: str | None = None
    slack_channel: str | None = None
    slack_webhook_url: str | None = None
    slack_api_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_security: str = "none"  # none | starttls | ssl
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from the environment (``os.environ`` by default)."""
        env = os.environ if env is None else env
        home = Path(env.get("BRIEFING_HOME") or "storage")
        db_url = env.get("BRIEFING_DATABASE_URL") or f"sqlite:///{home / 'briefing.db'}"
        security = (env.get("BRIEFING_SMTP_SECURITY") or "none").lower()
        if security not in {"none", "starttls", "ssl"}:
            raise ConfigError(
                f"BRIEFING_SMTP_SECURITY: expected none, starttls or ssl, got {security!r}"
            )
        return cls(
            home=home,
            database_url=db_url,
            sources_path=Path(env.get("BRIEFING_SOURCES") or "sources.yaml"),
            allow_private_networks=_flag(env.get("BRIEFING_ALLOW_PRIVATE_NETWORKS")),
            user_agent=env.get("BRIEFING_USER_AGENT") or DEFAULT_USER_AGENT,
            embedding_model=env.get("BRIEFING_EMBEDDING_MODEL") or None,
            secret=env.get("BRIEFING_SECRET") or None,
            public_url=env.get("BRIEFING_PUBLIC_URL") or None,
            slack_token=env.get("BRIEFING_SLACK_TOKEN") or None,
            slack_channel=env.get("BRIEFING_SLACK_CHANNEL") or None,
            slack_webhook_url=env.get("BRIEFING_SLACK_WEBHOOK_URL") or None,
            slack_api_url=env.get("BRIEFING_SLACK_API_URL") or None,
            smtp_host=env.get("BRIEFING_SMTP_HOST") or None,
            smtp_port=_int(env, "BRIEFING_SMTP_PORT", None),
            smtp_user=env.get("BRIEFING_SMTP_USER") or None,
            smtp_password=env.get("BRIEFING_SMTP_PASSWORD") or None,
            smtp_from=env.get("BRIEFING_SMTP_FROM") or None,
            smtp_security=security,
            extra={k: v for k, v in env.items() if k.startswith("BRIEFING_")},
        )
