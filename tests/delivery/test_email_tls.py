"""SMTP with STARTTLS, implicit TLS and AUTH against a real aiosmtpd server (certificate checked)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.briefing.render_email import RenderedEmail
from bot.config import Settings
from bot.delivery.email import SmtpSender, build_message
from bot.errors import DeliveryError
from tests.peers.smtp import make_certificates, smtp_server

pytestmark = [
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl binary"),
    # aiosmtpd cannot tell that implicit TLS is TLS, so it warns about AUTH on the SMTPS server
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]
RENDERED = RenderedEmail(subject="Briefing", text="plain", html="<p>html</p>")


@pytest.fixture(scope="module")
def ca_and_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def certs(
    ca_and_cert: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Path]]:
    ca, crt, key = ca_and_cert
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # the sender verifies against this CA only
    yield crt, key


def _settings(
    port: int, security: str, user: str | None = None, password: str | None = None
) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security=security, smtp_user=user,
                    smtp_password=password, smtp_from="b@example.org")  # fmt: skip


def _message(settings: Settings):  # type: ignore[no-untyped-def]
    return build_message(settings, RENDERED, to="a@example.com",
                         unsubscribe_url="https://b.example/unsubscribe?token=t", unsubscribe_token="t")  # fmt: skip


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_login(certs: tuple[Path, Path], security: str) -> None:
    with smtp_server(tls=security, certs=certs, auth=("user", "pw")) as smtp:
        cfg = _settings(smtp.port, security, "user", "pw")
        sender = SmtpSender(cfg)
        message_id = sender.send(_message(cfg))
        sender.close()
        [got] = smtp.to("a@example.com")
        assert got["Message-ID"] == message_id


def test_wrong_password_is_a_delivery_error(certs: tuple[Path, Path]) -> None:
    with smtp_server(tls="starttls", certs=certs, auth=("user", "pw")) as smtp:
        cfg = _settings(smtp.port, "starttls", "user", "wrong")
        with pytest.raises(DeliveryError, match="SMTPAuthenticationError"):
            SmtpSender(cfg).send(_message(cfg))
        assert smtp.messages == []


def test_plain_connection_to_a_starttls_only_server_fails_clearly(certs: tuple[Path, Path]) -> None:
    with smtp_server(tls="starttls", certs=certs) as smtp:
        cfg = _settings(smtp.port, "none")
        with pytest.raises(DeliveryError, match="smtp:"):
            SmtpSender(cfg).send(_message(cfg))
        assert smtp.messages == []
