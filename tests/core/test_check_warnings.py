"""`flask check` warns about mail settings that send mail to spam or lose replies and
one-click unsubscribes; they are warnings, never a reason not to start."""

from __future__ import annotations

import pytest

from campaign.startup import check_services

# What a campaign sending from its own domain over https has.
DELIVERABLE = {
    "MAIL_DEFAULT_SENDER": "Brown County campaign <campaigns@endthe287g.org>",
    "BROADCAST_REPLY_TO": "team@endthe287g.org",
    "BASE_URL": "https://endthe287g.org",
}


@pytest.fixture
def mail_app(app, smtp_server):
    """The app with a mail server that answers, set up as a campaign should be."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, **DELIVERABLE)
    return app


def test_a_campaign_set_up_well_gets_no_warning(mail_app):
    assert check_services(mail_app) == ([], [])


@pytest.mark.parametrize(
    "sender",
    [
        "campaigns@localhost",
        "Campaign <campaigns@127.0.0.1>",
        "campaigns@[127.0.0.1]",
        "campaigns@laptop.local",
        "campaigns@dev.localhost.",
        "campaigns@LOCALHOST",
    ],
)
def test_a_sender_at_a_local_address_is_a_warning(mail_app, sender):
    mail_app.config["MAIL_DEFAULT_SENDER"] = sender
    fatal, [warning] = check_services(mail_app)
    assert fatal == []
    assert "lands in spam or is refused" in warning and "MAIL_DEFAULT_SENDER" in warning
    assert sender.split("<")[-1].strip(">") in warning


@pytest.mark.parametrize("sender", ["campaigns@localhost-campaign.org", "campaigns@example.localnews.org"])
def test_a_real_domain_with_local_in_its_name_is_fine(mail_app, sender):
    mail_app.config["MAIL_DEFAULT_SENDER"] = sender
    assert check_services(mail_app) == ([], [])


def test_broadcasts_without_a_reply_to_are_a_warning(mail_app):
    mail_app.config["BROADCAST_REPLY_TO"] = None
    fatal, [warning] = check_services(mail_app)
    assert warning.startswith("broadcasts have no Reply-To: replies go to MAIL_DEFAULT_SENDER")
    assert "campaigns@endthe287g.org" in warning and "BROADCAST_REPLY_TO" in warning


def test_mail_links_without_https_are_a_warning(mail_app):
    mail_app.config["BASE_URL"] = "http://endthe287g.org"
    fatal, [warning] = check_services(mail_app)
    assert "BASE_URL is http://endthe287g.org" in warning and "one-click unsubscribe" in warning


def test_without_a_mail_server_nothing_leaves_so_nothing_is_said(app):
    """A laptop (`make run`): mail is written to files, whatever the sender."""
    app.config.update(MAIL_SERVER=None, MAIL_DEFAULT_SENDER="campaigns@localhost", BROADCAST_REPLY_TO=None)
    assert check_services(app) == ([], [])


def test_the_check_command_prints_every_warning_and_succeeds(mail_app):
    mail_app.config.update(MAIL_DEFAULT_SENDER="campaigns@localhost", BROADCAST_REPLY_TO=None, BASE_URL="http://x.org")
    result = mail_app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0
    warnings = result.stderr.splitlines()
    assert len(warnings) == 3 and all(line.startswith("warning: ") for line in warnings)
    assert result.stdout.strip() == "Database, Redis and mail: ready."
