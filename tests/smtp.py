"""Real SMTP servers (aiosmtpd) on loopback that keep what they receive."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Mailbox:
    def __init__(self):
        self.messages: list[Message] = []
        self.raw: list[bytes] = []  # each message as it came over the wire
        self.refuse_with: str | None = None  # e.g. "451 4.3.0 try again later"
        self.refuse_recipients: dict[str, str] = {}  # address -> reply to its RCPT TO

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_recipients:
            return self.refuse_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        self.raw.append(envelope.content)
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        message["X-SMTP-Session"] = str(id(session))  # which connection brought it
        if session.authenticated:
            message["X-Authenticated-As"] = session.auth_data.login.decode()
        if session.ssl:
            message["X-Over-TLS"] = "yes"
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """Plain by default; with `tls` (a certificate, a key) it offers STARTTLS and requires
    it, and with `accounts` it requires a login."""

    def __init__(self, tls: tuple[Path, Path] | None = None, accounts: dict[str, str] | None = None):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None
        self.tls = tls
        self.accounts = accounts

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.accounts and self.accounts.get(login) == password:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    def start(self) -> None:
        options: dict = {}
        if self.tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.tls)
            options.update(tls_context=context, require_starttls=True)
        if self.accounts is not None:
            options.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=bool(self.tls))
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Message]:
        return self.mailbox.messages


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with the openssl command."""
    certificate, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(certificate), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


class SilentServer:
    """Accepts connections and never answers: a mail server that hangs."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port = self.socket.getsockname()[1]

    def close(self) -> None:
        self.socket.close()
