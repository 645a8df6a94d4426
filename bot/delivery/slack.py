"""Post rendered digests to Slack: ``chat.postMessage`` with a bot token (thread replies for
overflow), or an incoming webhook (no threads: webhooks return ``ok`` and no ``ts``).

429 answers are retried after their ``Retry-After``; 5xx answers and connection errors are
retried with backoff, a bounded number of times (slack-sdk retry handlers).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler, RetryIntervalCalculator
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.config import Settings
from bot.errors import ConfigError, DeliveryError

log = logging.getLogger(__name__)
MAX_RETRIES = 3
MAX_RETRY_AFTER_S = 300.0
TIMEOUT_S = 30


class ServerErrorRetry(RetryHandler):
    """Retry any 5xx answer (slack-sdk's own handler only covers 500 and 503)."""

    def __init__(self, max_retry_count: int = MAX_RETRIES,
                 interval_calculator: RetryIntervalCalculator | None = None) -> None:  # fmt: skip
        super().__init__(
            max_retry_count, interval_calculator or BackoffRetryIntervalCalculator(0.5)
        )

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait as the server's Retry-After asks (capped), else back off exponentially."""
        retry_after = _retry_after(response)
        if retry_after is None:
            super().prepare_for_next_attempt(
                state=state, request=request, response=response, error=error
            )
            return
        state.next_attempt_requested = True
        time.sleep(min(retry_after, MAX_RETRY_AFTER_S))
        state.increment_current_attempt()


def _retry_after(response: HttpResponse | None) -> float | None:
    if response is None:
        return None
    for key, values in response.headers.items():
        if key.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                return None
    return None


def retry_handlers() -> list[RetryHandler]:
    """429 (honouring Retry-After), 5xx and connection errors, each a bounded number of times."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=MAX_RETRIES),
        RateLimitErrorRetryHandler(max_retry_count=MAX_RETRIES),
        ServerErrorRetry(),
    ]


class SlackPoster(Protocol):
    """Posts one message; returns its ts (None when the channel cannot thread)."""

    @property
    def recipient(self) -> str:
        """The channel id, or "webhook"."""
        ...

    can_thread: bool

    def post(self, message: dict[str, Any], thread_ts: str | None = None) -> str | None:
        """Post ``message`` ({"text", "blocks"}), as a reply when ``thread_ts`` is given."""
        ...


@dataclass
class WebApiPoster:
    """chat.postMessage with a bot token."""

    client: WebClient
    channel: str
    can_thread: bool = True

    @property
    def recipient(self) -> str:
        return self.channel

    def post(self, message: dict[str, Any], thread_ts: str | None = None) -> str | None:
        try:
            resp = self.client.chat_postMessage(
                channel=self.channel,
                text=message["text"],
                blocks=message["blocks"],
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            error = exc.response.get("error") if exc.response is not None else None
            raise DeliveryError(
                f"slack chat.postMessage failed: HTTP {status} {error or ''}".strip()
            ) from exc
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(f"slack chat.postMessage failed: {exc}") from exc
        return str(resp.get("ts")) if resp.get("ts") else None


@dataclass
class WebhookPoster:
    """An incoming webhook: messages post one after another, unthreaded."""

    client: WebhookClient
    recipient: str = "webhook"
    can_thread: bool = False

    def post(self, message: dict[str, Any], thread_ts: str | None = None) -> str | None:
        try:
            resp = self.client.send(
                text=message["text"], blocks=message["blocks"], unfurl_links=False
            )
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(f"slack webhook failed: {exc}") from exc
        if resp.status_code != 200:
            raise DeliveryError(f"slack webhook failed: HTTP {resp.status_code} {resp.body[:200]}")
        return None


def slack_configured(settings: Settings) -> bool:
    """True when a bot token and channel, or a webhook URL, are set."""
    return bool((settings.slack_token and settings.slack_channel) or settings.slack_webhook_url)


def make_poster(settings: Settings) -> SlackPoster:
    """The poster the settings ask for: the Web API when a token is set, else the webhook."""
    if settings.slack_token:
        if not settings.slack_channel:
            raise ConfigError(
                "BRIEFING_SLACK_CHANNEL is not set (needed with BRIEFING_SLACK_TOKEN)"
            )
        kwargs: dict[str, Any] = {}
        if settings.slack_api_url:
            kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
        client = WebClient(
            token=settings.slack_token, timeout=TIMEOUT_S, retry_handlers=retry_handlers(), **kwargs
        )
        return WebApiPoster(client, settings.slack_channel)
    if settings.slack_webhook_url:
        hook = WebhookClient(
            settings.slack_webhook_url, timeout=TIMEOUT_S, retry_handlers=retry_handlers()
        )
        return WebhookPoster(hook)
    raise ConfigError(
        "Slack is not configured: set BRIEFING_SLACK_TOKEN and BRIEFING_SLACK_CHANNEL, "
        "or BRIEFING_SLACK_WEBHOOK_URL"
    )


def post_messages(
    poster: SlackPoster,
    messages: list[dict[str, Any]],
    *,
    start: int = 0,
    thread_ts: str | None = None,
    on_posted: Callable[[int, str | None], None] | None = None,
) -> str | None:
    """Post ``messages[start:]``: the first as the head, the rest as replies in its thread.

    ``on_posted(index, head_ts)`` runs after each message so the caller can record progress;
    after a failure, calling again with ``start``/``thread_ts`` resumes without re-posting.
    """
    for index in range(start, len(messages)):
        reply_to = thread_ts if (index > 0 and poster.can_thread) else None
        ts = poster.post(messages[index], thread_ts=reply_to)
        if index == 0:
            thread_ts = ts
        if on_posted is not None:
            on_posted(index, thread_ts)
    return thread_ts
