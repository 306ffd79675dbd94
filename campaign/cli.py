"""Commands that span areas: `flask check`, `flask seed-demo`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.startup import check_services


def register_cli(app: Flask) -> None:
    @app.cli.command("check")
    def check_command() -> None:
        """Check that the database, Redis and the mail server answer."""
        fatal, warnings = check_services(current_app)
        for line in warnings:
            click.echo(f"warning: {line}", err=True)
        if fatal:
            raise click.ClickException("; ".join(fatal))
        click.echo("Database, Redis and mail: ready.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no campaign yet.")
    @click.option(
        "--organizer", "with_organizer", is_flag=True, help="Also create the demo organizer and print its login."
    )
    def seed_demo_command(if_empty: bool, with_organizer: bool) -> None:
        """Add realistic demo records (idempotent)."""
        from campaign.accounts import demo as accounts_demo
        from campaign.agreements import demo as agreements_demo
        from campaign.campaigns import demo as campaigns_demo
        from campaign.campaigns.models import Campaign
        from campaign.forums import demo as forums_demo
        from campaign.meetings import demo as meetings_demo
        from campaign.officials import demo as officials_demo
        from campaign.petitions import demo as petitions_demo
        from campaign.pledges import demo as pledges_demo

        if if_empty and db.session.scalar(select(func.count()).select_from(Campaign)):
            click.echo("The database already has campaigns: demo data not added.")
        else:
            campaign = campaigns_demo.seed()
            officials_demo.seed()
            agreements_demo.seed()
            petitions_demo.seed(campaign)
            forums_demo.seed(campaign)
            meetings_demo.seed(campaign)
            pledges_demo.seed(campaign)
            db.session.commit()
            click.echo(f"Demo campaign ready: {current_app.config['BASE_URL']}/c/{campaign.slug}")
        if with_organizer:
            email, password = accounts_demo.ensure_demo_organizer(current_app.instance_path)
            db.session.commit()
            click.echo(f"Demo organizer login: {email} / {password}  ({current_app.config['BASE_URL']}/login)")
