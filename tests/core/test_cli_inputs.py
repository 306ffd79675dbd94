"""Command-line input is bounded and cleaned like form input: integers are ASCII digits in
range (a usage error on one line, never a traceback), and free text loses its control
characters."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign.accounts.models import User
from campaign.extensions import db


@pytest.mark.parametrize(
    "args",
    [
        ["packets", "build", "any-petition", "-o", "/tmp/x.pdf", "--official", "99999999999"],
        ["packets", "build", "any-petition", "-o", "/tmp/x.pdf", "--official", "2147483648"],
        ["packets", "build", "any-petition", "-o", "/tmp/x.pdf", "--official", "５"],
        ["petitions", "purge-ip-hashes", "--days", "1000000000000"],
        ["petitions", "purge-ip-hashes", "--days", "３０"],
        ["petitions", "purge-ip-hashes", "--days", "-1"],
    ],
)
def test_an_integer_option_out_of_range_or_in_other_digits_is_a_usage_error(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "whole number" in result.output


def test_an_integer_option_in_range_still_works(runner):
    result = runner.invoke(args=["petitions", "purge-ip-hashes", "--days", "30"])
    assert result.exit_code == 0, result.output


def test_an_organizer_name_given_on_the_command_line_is_cleaned(runner):
    result = runner.invoke(
        args=["create-organizer", "ana@example.org", "--name", "Ana\rBcc: x\x1b\u202e Ruiz", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.name)) == "Ana Bcc: x Ruiz"
