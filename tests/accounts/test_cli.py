"""flask create-organizer: one line out, exit status the shell can trust."""

from __future__ import annotations

import pytest

from campaign.accounts import services
from campaign.accounts.models import Role, User
from campaign.extensions import db
from tests.accounts.helpers import count

PASSWORD = "a strong stdin password"


def create(runner, *args: str, password: str = PASSWORD):
    return runner.invoke(args=["create-organizer", *args, "--password-stdin"], input=f"{password}\n")


def test_creates_an_account_that_can_log_in(runner):
    result = create(runner, "Ana@Example.org", "--role", "admin", "--name", "Ana Ruiz")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Created admin account ana@example.org.\n"
    user = db.session.scalars(db.select(User)).one()
    assert (user.email, user.name, user.role) == ("ana@example.org", "Ana Ruiz", Role.ADMIN)
    assert services.authenticate("ana@example.org", PASSWORD) == user


def test_without_stdin_it_asks_twice_without_echo(runner):
    result = runner.invoke(
        args=["create-organizer", "ana@example.org", "--role", "viewer"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output
    assert services.authenticate("ana@example.org", PASSWORD).role is Role.VIEWER


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["not-an-email"], PASSWORD, "Error: Enter a valid email address, like name@example.org.\n"),
        (["ana@example.org"], "too short", "Error: Use at least 10 characters for the password.\n"),
        (["ana@example.org"], "", "Error: Use at least 10 characters for the password.\n"),
    ],
    ids=["bad-email", "short-password", "empty-password"],
)
def test_refused_input_prints_one_line_and_exits_1(runner, args, password, message):
    result = create(runner, *args, password=password)
    assert result.exit_code == 1
    assert result.stderr == message
    assert result.stdout == ""
    assert count(User) == 0


def test_duplicate_email_prints_one_line_and_exits_1(runner, make_user):
    make_user(email="ana@example.org")
    result = create(runner, "ANA@example.org", "--role", "admin")
    assert result.exit_code == 1
    assert result.stderr == "Error: An account with this email already exists.\n"
    assert count(User) == 1
    assert db.session.scalars(db.select(User)).one().role is Role.ORGANIZER


def test_unknown_role_is_a_usage_error(runner):
    result = create(runner, "ana@example.org", "--role", "owner")
    assert result.exit_code == 2
    assert "'owner' is not one of 'admin', 'organizer', 'viewer'" in result.stderr
    assert count(User) == 0
