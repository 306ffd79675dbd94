"""From an outbox message to the wire: the MIME message, then SMTP with a timeout on every
step and verified TLS certificates (Flask-Mail's own sender has neither), one session kept
open for a run of messages (opening a connection, TLS and a login for each message would
cost more than the message); or, without a mail server, an .eml file."""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
import time
from email import policy
from email.charset import QP, Charset
from email.mime.text import MIMEText
from pathlib import Path

from flask import current_app
from flask_mail import BadHeaderError, Message, sanitize_address, sanitize_addresses

from campaign.outbox.models import OutboxMessage

LINK_PATTERN = re.compile(r"https?://\S+")
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


# RFC 5322 caps a line at 998 octets. Headers are written as given (a List-Unsubscribe URL
# folded into encoded words is one no mail program can read) under compat32, which does
# not parse every header again through email.headerregistry as Flask-Mail's SMTP policy
# does: a message builds in about a third of the time, the same bytes on the wire.
WIRE = policy.compat32.clone(linesep="\r\n", max_line_length=998)
LONGEST_LINE = 998


class _Message(Message):
    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        """A part sent as 8bit text, or quoted-printable when a line is too long for the wire
        (a pasted paragraph, a long inlined HTML line): servers refuse or cut such lines."""
        text = text or ""
        charset = Charset("utf-8")
        if any(len(line) > LONGEST_LINE for line in text.encode("utf-8").splitlines()):
            charset.body_encoding = QP
        return MIMEText(text, _subtype=subtype, _charset=charset)

    def _message(self):
        built = super()._message()
        built.policy = WIRE
        return built


def as_mail(message: OutboxMessage) -> Message:
    """The message as Flask-Mail builds it: text and HTML alternatives, attachments, headers.
    A Reply-To goes in as an address, as the sender does: "Equipo de Campaña <a@b.org>" as an
    extra header would be one encoded word with the address inside it, which no mail program
    can answer."""
    extra_headers = dict(message.headers or {})
    mail_message = _Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=extra_headers.pop("Reply-To", None),
        extra_headers=extra_headers,
    )
    for item in message.attachments:
        mail_message.attach(item["filename"], item["content_type"], base64.b64decode(item["data"]))
    return mail_message


def write_eml(message: OutboxMessage, mail_message: Message) -> Path:
    """Without a mail server (a laptop): the message as an .eml file, its links logged."""
    directory = Path(current_app.config["MAIL_FILE_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{message.created_at:%Y%m%d-%H%M%S}-{message.id}.eml"
    path.write_bytes(mail_message.as_bytes())
    links = LINK_PATTERN.findall(message.body_text)
    current_app.logger.warning(
        "mail to %s written to %s%s", message.recipient, path, "".join(f"\n    link: {link}" for link in links)
    )
    return path
