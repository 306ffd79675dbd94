"""Addresses that get no more mail: `flask mail suppress FILE.csv` reads a mail provider's
bounce and complaint list, and the sender records an address a server refuses for good.
A hard bounce gets nothing again; a complaint still gets the mail it asks for."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.accounts.services import request_password_reset
from campaign.extensions import db
from campaign.outbox import services as outbox
from campaign.outbox.cli import LIST_BATCH, mail_cli
from campaign.outbox.models import MessageStatus, OutboxMessage, Suppression, SuppressionReason
from campaign.petitions import services as petitions

BOUNCE, COMPLAINT = SuppressionReason.BOUNCE, SuppressionReason.COMPLAINT


@pytest.fixture
def app(smtp_app):
    """Every test here, and the builders, on the app that sends through the SMTP server."""
    return smtp_app


def suppress(runner, path: Path, *options: str):
    return runner.invoke(mail_cli, ["suppress", str(path), *options])


def suppressed() -> dict[str, SuppressionReason]:
    return dict(db.session.execute(select(Suppression.address, Suppression.reason)).all())


def written(data: str | bytes, tmp_path: Path, name: str = "bounces.csv") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_a_dirty_provider_export_records_every_good_line_and_names_the_others(runner, tmp_path):
    path = written(
        '\ufeff"Email Address",Type,Created At\n'  # Excel's BOM, a quoted header with a space
        "Maria@Example.org,HardBounce,2026-11-02\n"
        "ana@example.org,SpamComplaint,2026-11-03\n"
        "not-an-address,HardBounce,2026-11-03\n"
        ",HardBounce,2026-11-03\n"
        "full@example.org,SoftBounce,2026-11-04\n"
        "juan@example.org,,2026-11-04\n"
        "\n"
        "MARIA@example.org,abuse report,2026-11-05\n"
        "pat@example.org\n",  # a short line: its type is missing, so the default
        tmp_path,
    )
    result = suppress(runner, path)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "5 suppressed (4 new), 3 lines skipped"
    problems = result.stderr.splitlines()
    assert len(problems) == 3
    assert problems[0].startswith("line 4: 'not-an-address' is not an email address")
    assert problems[1] == "line 5: no address."
    assert problems[2] == "line 6: full@example.org: 'SoftBounce' is a temporary failure, not suppressed."
    assert suppressed() == {
        "maria@example.org": BOUNCE,  # a later complaint does not weaken a bounce
        "ana@example.org": COMPLAINT,
        "juan@example.org": BOUNCE,
        "pat@example.org": BOUNCE,
    }
    detail = db.session.scalar(select(Suppression.detail).where(Suppression.address == "ana@example.org"))
    assert db.session.scalar(select(Suppression.source).distinct()) == "import"
    assert detail == "bounces.csv: SpamComplaint"

    again = suppress(runner, path)
    assert again.stdout.strip() == "5 suppressed (0 new), 3 lines skipped", "a second run changes nothing"


@pytest.mark.parametrize(
    ("content", "options", "expected"),
    [
        # Amazon SES's suppression list: semicolons would do too
        ("EmailAddress;Reason\na@example.org;BOUNCE\nb@example.org;COMPLAINT\n", (), {"a": BOUNCE, "b": COMPLAINT}),
        ("recipient\ta_column\na@example.org\tx\n", ("--reason", "complaint"), {"a": COMPLAINT}),
        ("email\r\na@example.org\r\nb@example.org", (), {"a": BOUNCE, "b": BOUNCE}),
        ("ADDRESS,reason\na@example.org,550 5.1.1 user unknown\n", ("--reason", "complaint"), {"a": COMPLAINT}),
    ],
)
def test_columns_are_found_by_name_and_the_type_by_its_words(runner, tmp_path, content, options, expected):
    result = suppress(runner, written(content, tmp_path), *options)
    assert result.exit_code == 0, result.output
    assert suppressed() == {f"{name}@example.org": reason for name, reason in expected.items()}


def test_a_long_list_is_recorded_in_batches(runner, tmp_path):
    count = LIST_BATCH * 2 + 500
    path = written("email\n" + "".join(f"person{number}@example.org\n" for number in range(count)), tmp_path)
    result = suppress(runner, path)
    assert result.stdout.strip() == f"{count} suppressed ({count} new), 0 lines skipped"
    db.session.rollback()  # what is read now was committed
    assert db.session.scalar(select(func.count()).select_from(Suppression)) == count


def test_a_line_the_csv_reader_refuses_stops_the_import_after_what_came_before(runner, tmp_path):
    path = written("email,type\na@example.org,hard\nb@example.org," + "x" * 200_000 + "\n", tmp_path)
    result = suppress(runner, path)
    assert result.exit_code != 0
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: line 3: field larger than field limit")
    assert line.endswith("the 1 addresses before it are recorded.")
    db.session.rollback()
    assert suppressed() == {"a@example.org": BOUNCE}, "run again once the file is mended"


def test_an_import_is_in_the_audit_log_with_its_figures_and_no_address(runner, tmp_path):
    good = written("email,type\nmaria@example.org,hard\nana@example.org,soft\n", tmp_path)
    broken = written('email\nluz@example.org\n"x' + "x" * 200_000 + "\n", tmp_path, "broken.csv")
    assert suppress(runner, good).exit_code == 0
    assert suppress(runner, broken).exit_code != 0
    db.session.rollback()
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "suppressions_imported"))
    assert [(event.user_id, event.details) for event in logged.all()] == [
        (None, {"file": "bounces.csv", "suppressed": 1, "new": 1, "skipped": 1}),
        (None, {"file": "broken.csv", "suppressed": 1, "new": 1, "skipped": 0, "stopped_at_line": 3}),
    ]


def make_input(kind: str, tmp_path: Path) -> Path:
    if kind == "missing":
        return tmp_path / "nowhere.csv"
    if kind == "directory":
        return tmp_path
    if kind == "no address column":
        return written("name,status\nMaría,bounced\n", tmp_path)
    if kind == "empty":
        return written("", tmp_path)
    if kind == "too big":
        path = written("email\n", tmp_path)
        with path.open("r+b") as file:
            file.truncate(50 * 1024 * 1024 + 1)  # sparse: nothing is written to the disk
        return path
    if kind == "binary":
        return written(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", tmp_path)
    return written("email\nJos\xe9@example.org\n".encode("latin-1"), tmp_path)


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("missing", "No such file or directory"),
        ("directory", "is not a file"),
        ("no address column",
         "no address column (email, email address, recipient or address); its columns: 'name', 'status'."),
        ("empty", "its columns: none"),
        ("too big", "is over 50 MB"),
        ("binary", "is not a CSV text file"),
        ("latin-1", "is not UTF-8 text"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_records_nothing(runner, tmp_path, kind, says):
    result = suppress(runner, make_input(kind, tmp_path))
    assert result.exit_code != 0
    [line] = result.output.strip().splitlines()
    assert says in line and "Traceback" not in result.output
    assert suppressed() == {}


# --- what a suppression stops ---------------------------------------------------------------


def test_a_refused_address_is_suppressed_and_gets_no_mail_again(smtp_server, make_user):
    smtp_server.mailbox.refuse_recipients["gone@example.org"] = "550 5.1.1 No such user"
    message = outbox.enqueue("Gone@example.org", "outbox/test", {"link": "http://localhost/"})
    db.session.commit()
    db.session.refresh(message)
    assert message.status is MessageStatus.FAILED
    assert suppressed() == {"gone@example.org": BOUNCE}

    make_user(email="gone@example.org")
    del smtp_server.mailbox.refuse_recipients["gone@example.org"]  # even were it to come back
    request_password_reset("gone@example.org")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1, "nothing more is written"
    assert smtp_server.messages == []


def test_a_temporary_refusal_suppresses_nothing(app, smtp_server):
    smtp_server.mailbox.refuse_recipients["busy@example.org"] = "452 4.2.2 Mailbox full"
    outbox.enqueue("busy@example.org", "outbox/test", {"link": "http://localhost/"})
    db.session.commit()
    assert suppressed() == {}


@pytest.mark.parametrize(("reason", "delivered"), [("complaint", True), ("bounce", False)])
def test_transactional_mail_goes_after_a_complaint_never_after_a_bounce(
    runner, smtp_server, make_user, make_petition, tmp_path, reason, delivered
):
    """Someone who marked a broadcast as spam still gets the reset and the confirmation they
    ask for; an address that does not exist gets neither."""
    result = suppress(runner, written("email\nana@example.org\n", tmp_path), "--reason", reason)
    assert result.exit_code == 0, result.output
    make_user(email="ana@example.org")
    petition = make_petition()

    request_password_reset("ana@example.org")
    data = petitions.SignatureInput(first_name="Ana", last_name="López", email="ana@example.org", zip_code="54301")
    petitions.sign(petition, data)
    db.session.commit()

    subjects = sorted(received["Subject"] for received in smtp_server.messages)
    expected = ["Confirm your signature: " + petition.title, "Reset your organizer password"]
    assert subjects == (expected if delivered else [])
