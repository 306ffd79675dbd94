"""`flask create-organizer`: the way the first (admin) account comes into being; `flask
accounts ...`: role changes and switching accounts off, each one in the audit log."""

from __future__ import annotations

import getpass
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from campaign.accounts.models import Role, User
from campaign.accounts.roles import change_role, set_active
from campaign.accounts.services import create_user, find_user
from campaign.core.errors import DomainError
from campaign.extensions import db

accounts_cli = AppGroup("accounts", help="Organizer accounts: roles, deactivation.")
ROLE_CHOICE = click.Choice([role.value for role in Role])


def _run(change) -> User:
    """Run one account change and commit it, or print its refusal on one line and exit 1."""
    try:
        user = change()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    return user


def _account(email: str):
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email.strip().lower()}.")
    return user


def _via() -> str:
    return f"cli:{getpass.getuser()}"


@accounts_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def set_role_command(email: str, role: str) -> None:
    """Give the account with EMAIL another ROLE."""
    user = _run(lambda: change_role(_account(email), Role(role), via=_via()))
    click.echo(f"{user.email} is now {user.role.value}.")


@accounts_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Switch the account with EMAIL off: its sessions end and it can no longer log in."""
    user = _run(lambda: set_active(_account(email), False, via=_via()))
    click.echo(f"{user.email} is deactivated.")


@accounts_cli.command("reactivate")
@click.argument("email")
def reactivate_command(email: str) -> None:
    """Switch the account with EMAIL back on."""
    user = _run(lambda: set_active(_account(email), True, via=_via()))
    click.echo(f"{user.email} is active again.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(accounts_cli)

    @app.cli.command("create-organizer")
    @click.argument("email")
    @click.option(
        "--role",
        type=ROLE_CHOICE,
        default=Role.ORGANIZER.value,
        show_default=True,
        help="admin manages accounts; organizer runs campaigns; viewer only reads.",
    )
    @click.option("--name", default="", help="Shown to other organizers.")
    @click.option(
        "--password-stdin",
        is_flag=True,
        help="Read the password from the first line of standard input (for scripts) instead of asking.",
    )
    def create_organizer_command(email: str, role: str, name: str, password_stdin: bool) -> None:
        """Create an organizer account (the first one with --role admin)."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        user = _run(lambda: create_user(email, password, Role(role), name=name))
        click.echo(f"Created {user.role.value} account {user.email}.")
