"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives.

aiosmtpd's ``Controller(port=0)`` fails (it connects to the port to check readiness), so a free
port is picked first. ``refuse(address)`` makes the server answer 550 for that recipient.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.peers.postgres import free_port


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpHandler:
    messages: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:  # noqa: N802
        if address.lower() in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: SmtpHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def refuse(self, address: str) -> None:
        self.handler.refused.add(address.lower())

    def accept(self, address: str) -> None:
        self.handler.refused.discard(address.lower())

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered to ``address``."""
        return [
            m.message for m in self.messages if address.lower() in [r.lower() for r in m.rcpt_tos]
        ]


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free loopback port for the duration of the block."""
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
