"""POST hostile values to every form the crawl found (public and organizer), and to every POST
rule of `app.url_map`, as each role. Nothing may answer 5xx or let an exception escape, and a
refused request (4xx, or the redirect to the login page) leaves no row and no mail behind."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import strategies as st

from tests.hostile.kit import (
    DIGITS_OF_EVERY_SCRIPT,
    FULL_WIDTH_ZIP,
    NASTY,
    Form,
    Prober,
    build_url,
    explore,
    hostile_values,
    replace,
    valid_pairs,
)

ROLES = ["anonymous", "viewer", "organizer", "admin"]
# Each field alone gets these, every other field holding a valid value, so that the hostile one
# is what the app has to deal with; all fields together get every NASTY value.
FIELD_VALUES = [
    FULL_WIDTH_ZIP,
    "\x00",
    "x\rBcc: victim@example.org",  # a bare CR reached a mail's Subject
    "x" * 10_000,
    "99999999999999999999",
    "3000000000",  # past PostgreSQL's integer
    "America",  # a time zone that is a folder
]
# Fields the app takes for unknown, or takes from the URL or the session.
UNKNOWN_FIELDS = [("_method", "DELETE"), ("role", "admin"), ("id", "1"), ("user_id", "1"), ("x" * 300, "x" * 10_000)]
_emails = (f"hostile.{number}@example.org" for number in itertools.count(1))


def _targets(site) -> list[tuple[Form, str]]:
    """Each form once, with the crawl that found it ("anonymous": a public form). Action-only
    forms (cancel, retry) come after the forms that write to what they would close, and logout
    last: it ends the session the sweep runs in."""
    targets: dict[tuple, tuple[Form, str]] = {}
    for who in ("anonymous", "admin"):
        for form in site.forms[who]:
            targets.setdefault((form.endpoint, form.names), (form, who))
    return sorted(
        targets.values(),
        key=lambda target: ("logout" in target[0].endpoint, not _fields(target[0]), target[0].endpoint),
    )


def _fields(form: Form) -> list:
    # CSRF is off in tests (checking it is Flask-WTF's part): its token is no field to fuzz,
    # and a form of nothing else (logout, cancel, retry) has no field at all.
    return [f for f in form.inputs if f.name != "csrf_token"]


def _full_sweep(role: str, found_by: str) -> bool:
    return role == ("anonymous" if found_by == "anonymous" else "organizer")


def _values_for(name: str) -> list:
    return FIELD_VALUES + (DIGITS_OF_EVERY_SCRIPT if "zip" in name else [])


@pytest.mark.parametrize("role", ROLES)
def test_no_form_post_crashes_or_writes_when_refused(app, site, client, login_as, role):
    if role != "anonymous":
        login_as(role)
    prober = Prober(app, client, role)

    def post(url, pairs, endpoint):
        sent = prober.post(url, pairs, endpoint=endpoint)
        # A reset-password form logs its user in; logout ends the session: put the role back
        # (and send again what the lost session turned into a trip to the login page).
        with client.session_transaction() as session:
            logged_in = "_user_id" in session
            if role == "anonymous" and logged_in:
                session.clear()
        if role != "anonymous" and (not logged_in or (sent.status and Prober.sent_to_login(sent))):
            login_as(role)
            prober.forget_counts()
            if sent.status and Prober.sent_to_login(sent):
                prober.post(url, pairs, endpoint=endpoint)

    targets = _targets(site)
    for form, found_by in targets:
        baseline = valid_pairs(form, next(_emails))
        post(form.action, baseline, form.endpoint)
        # The full sweep is run by the least privileged role that has the form: the anonymous
        # visitor for public forms, the organizer for organizer forms. Others get it lighter.
        full = _full_sweep(role, found_by)
        fields = _fields(form)
        for f in fields if full else []:
            for value in _values_for(f.name):
                post(form.action, replace(valid_pairs(form, next(_emails)), f.name, value), form.endpoint)
        for value in (NASTY if full else FIELD_VALUES) if fields else []:
            post(form.action, [(f.name, value) for f in fields], form.endpoint)
        post(form.action, baseline + UNKNOWN_FIELDS, form.endpoint)
        post(form.action, baseline + [(name, FULL_WIDTH_ZIP) for name, _ in baseline], form.endpoint)

    # Every POST rule, found in a form or not (retry buttons show only on failed jobs), with
    # hostile path arguments.
    forms_of = {form.endpoint: (form, found_by) for form, found_by in targets}
    for rule in site.rules("POST"):
        form, found_by = forms_of.get(rule.endpoint, (None, "admin"))
        if not rule.arguments or not _full_sweep(role, found_by):
            continue
        pairs = valid_pairs(form, next(_emails)) if form else []
        real = site.real_values(rule)
        for name in sorted(rule.arguments):
            for value in NASTY:
                post(build_url(rule, real | {name: value}), pairs, rule.endpoint)

    def drawn_post(drawn):
        (form, _), fields = drawn
        pairs = valid_pairs(form, next(_emails))
        for name, value in fields:
            pairs = replace(pairs, name, value)
        post(form.action, pairs, form.endpoint)

    def fields_of(target):
        names = [f.name for f in _fields(target[0])] or ["unknown"]
        return st.tuples(st.just(target), st.lists(st.tuples(st.sampled_from(names), hostile_values()), max_size=3))

    explore(st.sampled_from(targets).flatmap(fields_of), drawn_post, max_examples=60)
    if verdict := prober.verdict():
        pytest.fail(verdict, pytrace=False)
