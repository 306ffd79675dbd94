from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def silent_server():
    """A TCP port where a 'mail server' accepts the connection and then says nothing."""
    from tests.smtp import SilentServer

    server = SilentServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate and key for 127.0.0.1."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    from tests.smtp import self_signed_certificate

    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_smtp_server(certificate):
    """A server that requires STARTTLS and a login (campaigns / mail-password)."""
    from tests.smtp import SMTPServer

    server = SMTPServer(tls=certificate, accounts={"campaigns": "mail-password"})
    server.start()
    yield server
    server.stop()
