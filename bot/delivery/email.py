"""Digest emails: multipart/alternative messages (text first, HTML last) sent over SMTP.

Every message carries ``List-Unsubscribe`` (https and mailto) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058). The SMTP connection is opened
once per run and reopened after a failure; STARTTLS or implicit TLS when configured.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import quote

from bot.briefing.render_email import RenderedEmail
from bot.config import Settings
from bot.errors import ConfigError, DeliveryError

TIMEOUT_S = 30


def email_configured(settings: Settings) -> bool:
    """True when an SMTP host is set."""
    return bool(settings.smtp_host)


def _from_domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip(" >") or "localhost"


def build_message(
    settings: Settings,
    rendered: RenderedEmail,
    *,
    to: str,
    unsubscribe_url: str,
    unsubscribe_token: str,
    now: datetime | None = None,
) -> EmailMessage:
    """One subscriber's message with both bodies and the one-click unsubscribe headers."""
    if not settings.smtp_from:
        raise ConfigError("BRIEFING_SMTP_FROM is not set (the sender address of digest emails)")
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = settings.smtp_from
    msg["To"] = Address(addr_spec=to)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = make_msgid(idstring="briefing", domain=_from_domain(settings.smtp_from))
    # the mailto fallback goes to the sender, who can act on it by hand or with a mail rule
    sender = parseaddr(settings.smtp_from)[1] or settings.smtp_from
    mailto = f"mailto:{sender}?subject={quote('unsubscribe ' + unsubscribe_token)}"
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


class SmtpSender:
    """Sends messages over one SMTP connection (opened lazily, reopened after errors)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ConfigError("BRIEFING_SMTP_HOST is not set: email delivery is not configured")
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host = s.smtp_host or ""
        context = ssl.create_default_context()
        if s.smtp_security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                host, s.smtp_port or 465, timeout=TIMEOUT_S, context=context
            )
        else:
            conn = smtplib.SMTP(host, s.smtp_port or 25, timeout=TIMEOUT_S)
            if s.smtp_security == "starttls":
                conn.starttls(context=context)
        if s.smtp_user:
            conn.login(s.smtp_user, s.smtp_password or "")
        return conn

    def send(self, msg: EmailMessage) -> str:
        """Send ``msg``; returns its Message-ID. Raises DeliveryError when SMTP refuses it."""
        try:
            if self._conn is None:
                self._conn = self._connect()
            refused = self._conn.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"smtp: {type(exc).__name__}: {exc}") from exc
        if refused:
            raise DeliveryError(f"smtp refused recipients: {sorted(refused)}")
        return str(msg["Message-ID"])

    def close(self) -> None:
        """Quit the connection if open (errors on quit are irrelevant)."""
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._conn = None
