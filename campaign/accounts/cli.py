"""`flask create-organizer`: the way the first (admin) account comes into being."""

from __future__ import annotations

import sys

import click
from flask import Flask

from campaign.accounts.models import Role
from campaign.accounts.services import create_user
from campaign.core.errors import DomainError
from campaign.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("create-organizer")
    @click.argument("email")
    @click.option(
        "--role",
        type=click.Choice([role.value for role in Role]),
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
        try:
            user = create_user(email, password, Role(role), name=name)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Created {user.role.value} account {user.email}.")
