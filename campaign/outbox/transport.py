"""SMTP with a timeout on every step and verified TLS certificates (Flask-Mail's own sender
has neither), one session kept open for a run of messages: opening a connection, TLS and a
login for each message would cost more than the message."""

from __future__ import annotations

import smtplib
import ssl
import time

from flask import current_app
from flask_mail import BadHeaderError, Message, sanitize_address, sanitize_addresses

# A session unused this long is checked (NOOP) before the next message: servers drop idle ones.
IDLE_CHECK_SECONDS = 10


class SMTPSession:
    def __init__(self) -> None:
        self.host: smtplib.SMTP | None = None
        self.used_at = 0.0

    def __enter__(self) -> SMTPSession:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        config = current_app.config
        timeout = config["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if config["MAIL_USE_SSL"]:
            host = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        try:
            if config["MAIL_USE_TLS"]:
                host.starttls(context=context)
            if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
                host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            host.close()
            raise
        return host

    def send(self, mail_message: Message) -> None:
        if mail_message.has_bad_headers():
            raise BadHeaderError("a header holds a line break")
        if self.host is not None and time.monotonic() - self.used_at > IDLE_CHECK_SECONDS:
            try:
                self.host.noop()
            except (smtplib.SMTPException, OSError):
                self.close()
        if self.host is None:
            self.host = self._open()
        try:
            self.host.sendmail(
                sanitize_address(mail_message.sender),
                list(sanitize_addresses(mail_message.send_to)),
                mail_message.as_bytes(),
            )
        except smtplib.SMTPRecipientsRefused:
            raise  # smtplib has reset the session: it serves the next message
        except BaseException:
            self.close()  # a session in an unknown state is never reused
            raise
        finally:
            self.used_at = time.monotonic()

    def close(self) -> None:
        if self.host is None:
            return
        host, self.host = self.host, None
        try:
            host.quit()
        except (smtplib.SMTPException, OSError):  # the messages are already accepted (or refused)
            host.close()
