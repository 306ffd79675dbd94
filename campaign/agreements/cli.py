"""`flask agreements import FILE`: ICE's list of participating agencies, compared with the
last import and applied in one transaction (or only compared, with --dry-run)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from campaign.agreements import services
from campaign.agreements.importer_files import too_large
from campaign.core.errors import DomainError
from campaign.extensions import db

agreements_cli = AppGroup("agreements", help="287(g) agreements: ICE's list of participating agencies.")


def _read(path: Path) -> bytes:
    """The file's bytes, or one line saying why not; a file over the limit is not read."""
    limit = services.max_import_bytes()
    try:
        if not path.is_file():
            raise click.ClickException(f"{path} is not a file.")
        if path.stat().st_size > limit:
            raise click.ClickException(too_large(limit).message)
        return path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror or error}.") from None


def _label(agreement) -> str:
    return f"{agreement.state}  {agreement.agency}  ({agreement.model.label})"


def echo_report(report: services.ImportReport, dry_run: bool) -> None:
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{report.rows} agreement(s) read: {len(report.added)} {verb} added, {len(report.changed)} changed, "
        f"{len(report.gone)} gone from the list, {report.unchanged} unchanged; {len(report.problems)} problem(s)."
    )
    for line, message in report.problems:
        click.echo(f"line {line}: {message}")
    for agreement in report.added:
        click.echo(f"added: {_label(agreement)}")
    for agreement, fields in report.changed:
        changes = "; ".join(f"{name}: {before} -> {after}" for name, (before, after) in fields.items())
        click.echo(f"changed: {_label(agreement)}: {changes}")
    for agreement in report.gone:
        click.echo(f"gone: {_label(agreement)}")


@agreements_cli.command("import")
@click.argument("path", metavar="FILE.(csv|xlsx)", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import ICE's spreadsheet of participating agencies (.xlsx as published, or .csv).
    Dirty values are reported line by line; the file's agreements are added or updated,
    and the ones no longer on it are marked gone. Local facts recorded by organizers
    (rescinded, declined, proposed) are kept."""
    data = _read(path)
    try:
        if dry_run:
            report = services.preview_import(path.name, data)
        else:
            report = services.apply_import(path.name, data)
            db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{path.name}: {error.message}") from None
    echo_report(report, dry_run)
    if dry_run:
        click.echo("Dry run: nothing was written.")
