"""Hostile files sent to every form that takes a file (the paper CSV import, the packet check):
as the organizer and as an anonymous visitor. No answer may be a 5xx, let an exception escape
or take longer than a person waits; the report page a successful upload leads to opens; no
import job is left running."""

from __future__ import annotations

import time

import pytest

from tests.hostile.kit import Prober, upload, valid_pairs

HEADER = b"first_name,last_name,zip_code,email\r\n"
GOOD_ROWS = b"Ana,Lopez,54301,ana.upload@example.org\r\nLuis,Vang,54115,\r\n"
FILES = {
    '64 KB first line of ,"': b',"' * 32_768 + b"\r\n" + GOOD_ROWS,
    "NUL bytes": HEADER + b"An\x00a,Lo\x00pez,54301,\r\n\x00\x00\x00\r\n" + GOOD_ROWS,
    "a 200,000-character cell between good rows": HEADER
    + GOOD_ROWS
    + b"Big,"
    + b"x" * 200_000
    + b",54301,\r\n"
    + GOOD_ROWS,
    "bytes that are not UTF-8": HEADER + b"\xff\xfe\xe9t\xe9,\xc3\x28,54301,\r\n" + GOOD_ROWS,
    "a lone surrogate in UTF-8": HEADER + b"\xed\xa0\x80,Vang,54301,\r\n",
    "full-width ZIP codes": HEADER + "Mai,Xiong,５４３０１,\r\n".encode() + GOOD_ROWS,
    "20,000 columns of one name": b",".join([b"first_name"] * 20_000) + b"\r\n" + GOOD_ROWS,
    "CR line endings only": HEADER.replace(b"\r\n", b"\r") + GOOD_ROWS.replace(b"\r\n", b"\r"),
    "an empty file": b"",
    "a PDF that is not one": b"%PDF-1.7\n" + b"\x00" * 1_000,
}
SLOW_SECONDS = 10  # a person gives up long before; so does gunicorn's worker timeout (30 s)


@pytest.mark.parametrize("role", ["anonymous", "organizer"])
def test_hostile_files_are_refused_or_read_without_crashing(app, site, client, login_as, role):
    if role != "anonymous":
        login_as(role)
    prober = Prober(app, client, role)
    forms = {
        (form.endpoint, form.names): form
        for who in ("anonymous", "admin")
        for form in site.forms[who]
        if any(f.kind == "file" for f in form.fields)
    }
    assert forms, "the crawl found no form taking a file"
    for form in forms.values():
        files = [f.name for f in form.fields if f.kind == "file"]
        for label, content in FILES.items():
            pairs = [(name, value) for name, value in valid_pairs(form) if name not in files]
            started = time.monotonic()
            sent = prober.post(
                form.action,
                pairs,
                files={name: upload(content) for name in files},
                endpoint=form.endpoint,
                label=f"file: {label}",
            )
            took = time.monotonic() - started
            if took > SLOW_SECONDS:
                prober.fail(form.endpoint, "POST", form.action, f"file: {label}", f"took {took:.0f} s")
            if sent.status in (302, 303) and sent.location:
                prober.get(sent.location)  # the import's report page
    if verdict := prober.verdict():
        pytest.fail(verdict, pytrace=False)
