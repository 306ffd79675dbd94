"""The hostile-input kit: the values an attacker types, a page reader that finds links and
forms, a crawler that finds real URLs for the rules of `app.url_map`, and a prober that sends
requests and collects every failure (instead of stopping at the first) with the request that
caused it and the end of the app's traceback."""

from __future__ import annotations

import itertools
import logging
import re
import sys
import traceback
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote, urljoin, urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from campaign.extensions import db

Value = str | bytes  # bytes are sent as they are: invalid UTF-8 included


def _digits_of_every_script() -> list[str]:
    """'54301' written in each Unicode script that has decimal digits (full-width, Arabic-Indic,
    Devanagari, Bengali, Thai, mathematical bold...): `\\d`, int() and isdigit() take them all."""
    zeros = [code for code in range(sys.maxunicode + 1) if unicodedata.decimal(chr(code), None) == 0]
    return ["".join(chr(zero + digit) for digit in (5, 4, 3, 0, 1)) for zero in zeros if zero != ord("0")]


DIGITS_OF_EVERY_SCRIPT = _digits_of_every_script()
FULL_WIDTH_ZIP = "５４３０１"

# Tried in every field, path argument and query value.
NASTY: list[Value] = [
    FULL_WIDTH_ZIP,
    "٥٤٣٠١",  # Arabic-Indic
    "५४३०१",  # Devanagari
    "𝟓𝟒𝟑𝟎𝟏",  # mathematical bold, outside the BMP
    "\x00",
    "54301\x00",
    "x\r\nBcc: victim@example.org",
    "x\rBcc: victim@example.org",
    "\ud800",  # a lone surrogate: sent as the bytes ED A0 80, invalid UTF-8
    b"\xff\xfe",
    "\u202egnp.exe\u202c",  # right-to-left override
    "x" * 10_000,
    "99999999999999999999",
    "-99999999999999999999",
    "3000000000",
    "-1",
    "0",
    "1e309",
    "America",  # a time zone that is a folder
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "   ",
    "",
]

# Fields whose name says they hold a number also get the digits of every script.
NUMERIC_NAME = re.compile(r"zip|page|id$|ids$|_id|goal|capacity|guests|threshold|sheet|number|count|fips|county")

# Keys a query string may carry that collide with url_for's own keywords.
URL_FOR_KEYWORDS = ["_method", "_external", "_anchor", "_scheme", "endpoint", "values"]


def hostile_values() -> st.SearchStrategy[Value]:
    """Arbitrary values in the spirit of NASTY, for hypothesis to combine."""
    digits = st.sampled_from(DIGITS_OF_EVERY_SCRIPT)
    controls = st.text(st.characters(codec=None, categories=["Cc", "Cf", "Zl", "Zp", "Cs"]), min_size=1, max_size=5)
    mixed = st.text(st.characters(codec=None), max_size=40)
    huge = st.integers(min_value=-(10**30), max_value=10**30).map(str)
    long = st.integers(min_value=1_000, max_value=12_000).map(lambda n: "7" * n)
    return st.one_of(
        st.sampled_from(NASTY),
        digits,
        controls,
        mixed,
        huge,
        long,
        st.binary(min_size=1, max_size=12),
        st.tuples(digits, controls).map("".join),
    )


def hypothesis_settings(max_examples: int):
    # Deterministic (the same inputs on every run and machine) and bounded; failures are
    # collected by the prober, so hypothesis never shrinks and the run time is known.
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def explore(strategy: st.SearchStrategy, send, max_examples: int) -> None:
    """Call `send(example)` for `max_examples` examples drawn from `strategy`."""

    @hypothesis_settings(max_examples)
    @given(strategy)
    def run(example):
        send(example)

    run()


# --- encoding: the test client would refuse to encode a lone surrogate or raw bytes ----------


def encode(value: Value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def quote(value: Value, safe: str = "") -> str:
    return quote_from_bytes(encode(value), safe=safe)


def urlencode(pairs: Iterable[tuple[Value, Value]]) -> str:
    return "&".join(f"{quote(key)}={quote(value)}" for key, value in pairs)


def show(value: Value, limit: int = 60) -> str:
    """A value as a failure report prints it: escaped and shortened."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}...{text[-12:]} ({len(value)} long)"


# --- pages: links and forms ---------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input type, or "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    multiple: bool = False
    honeypot: bool = False  # hidden from people: a person leaves it empty


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)
    endpoint: str = ""

    @property
    def inputs(self) -> list[Field]:
        return [f for f in self.fields if f.kind not in ("submit", "button", "image", "reset")]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted({f.name for f in self.inputs}))


class PageReader(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._hidden_depth = 0  # inside aria-hidden="true"
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        hidden = attributes.get("aria-hidden") == "true"
        if tag not in ("input", "br", "img", "meta", "link", "hr", "option"):
            self._stack.append(hidden)
            self._hidden_depth += hidden
        if tag in ("a", "link") and attributes.get("href"):
            self.links.append(urljoin(self.url, attributes["href"]))
        elif tag in ("script", "img") and attributes.get("src"):
            self.links.append(urljoin(self.url, attributes["src"]))
        elif tag == "form":
            self.forms.append(
                Form(
                    page=self.url,
                    action=urljoin(self.url, attributes.get("action") or self.url),
                    method=(attributes.get("method") or "get").lower(),
                    enctype=attributes.get("enctype") or "application/x-www-form-urlencoded",
                )
            )
        elif not self.forms:
            return
        elif tag == "input" and attributes.get("name"):
            self.forms[-1].fields.append(
                Field(
                    name=attributes["name"],
                    kind=(attributes.get("type") or "text").lower(),
                    value=attributes.get("value", ""),
                    checked="checked" in attributes,
                    honeypot=bool(self._hidden_depth) or attributes.get("tabindex") == "-1",
                )
            )
        elif tag == "button" and attributes.get("name"):
            self.forms[-1].fields.append(Field(attributes["name"], "submit", attributes.get("value", "")))
        elif tag == "select" and attributes.get("name"):
            self._select = Field(attributes["name"], "select", multiple="multiple" in attributes)
            self.forms[-1].fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self._select.options.append(value)
            if "selected" in attributes:
                self._select.value = value
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = Field(attributes["name"], "textarea")
            self.forms[-1].fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            if self._select is not None and not self._select.value and not self._select.multiple:
                self._select.value = next((option for option in self._select.options if option), "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        if tag not in ("input", "br", "img", "meta", "link", "hr", "option") and self._stack:
            self._hidden_depth -= self._stack.pop()

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def read_page(url: str, html: str) -> PageReader:
    reader = PageReader(url)
    reader.feed(html)
    return reader


# --- realistic values, so that one hostile field is the only thing wrong with a request ------

_counter = itertools.count(1)


def valid_value(f: Field, email: str) -> str | None:
    """What a person would type in `f` (None: leave the field out, as a browser does)."""
    name = f.name.lower()
    if f.honeypot:
        return ""
    if f.kind in ("checkbox", "radio"):
        return f.value or "y"
    if f.kind == "select":
        return f.value if f.value else next((option for option in f.options if option), None)
    if f.kind == "file":
        return None
    if f.value:  # an edit form shows the record's values: they are valid
        return f.value
    number = next(_counter)
    by_kind = {
        "email": email,
        "date": "2031-03-04",
        "datetime-local": "2031-03-04T18:30",
        "time": "18:30",
        "number": "3",
        "url": "https://example.org/page",
        "password": "correct horse battery staple",
        "tel": "(920) 555-0100",
    }
    if f.kind in by_kind:
        return by_kind[f.kind]
    rules = [
        ("email", email),
        ("zip", "54301"),
        ("phone", "(920) 555-0100"),
        ("slug", f"hostile-suite-{number}"),
        ("timezone", "America/Chicago"),
        ("fips", "55009"),
        ("county", "55009"),
        ("website", "https://example.org"),
        ("digest", "0" * 64),
        ("_at", "2031-03-04T18:30"),
        ("deadline", "2031-03-04"),
        ("signed_on", "2031-03-04"),
    ]
    for part, value in rules:
        if part in name:
            return value
    return "" if f.kind == "hidden" else f"Hostile suite value {number}"


def valid_pairs(form: Form, email: str = "hostile.suite@example.org") -> list[tuple[str, Value]]:
    pairs = []
    for f in form.inputs:
        if f.kind == "radio" and any(name == f.name for name, _ in pairs):
            continue
        if f.kind == "checkbox" and f.honeypot:
            continue
        value = valid_value(f, email)
        if value is not None:
            pairs.append((f.name, value))
    return pairs


def replace(pairs: list[tuple[str, Value]], name: str, value: Value) -> list[tuple[str, Value]]:
    kept = [(key, old) for key, old in pairs if key != name]
    return [*kept, (name, value)]


# --- the prober -------------------------------------------------------------------------


@dataclass
class Failure:
    endpoint: str
    request: str
    problem: str
    trace: str = ""
    cause: str = ""


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


PROJECT = str(Path(__file__).resolve().parents[2])


def _app_frames(exc_info) -> list[traceback.FrameSummary]:
    frames = traceback.extract_tb(exc_info[2])
    return [
        frame
        for frame in frames
        if frame.filename.startswith(PROJECT) and not any(part in frame.filename for part in ("/tests/", "/.venv/"))
    ]


def _trace_tail(exc_info, frames: int = 3) -> str:
    """The app's last frames (campaign/, templates) and the exception: what the fix needs."""
    shown = traceback.format_list(_app_frames(exc_info)[-frames:])
    text = "".join(shown) + "".join(traceback.format_exception_only(exc_info[0], exc_info[1]))
    return "\n".join(line.replace(PROJECT + "/", "") for line in text.rstrip().splitlines())[-2_000:]


def _cause(exc_info) -> str:
    """Where the app raised: its innermost frame in campaign/ or a template, and the type."""
    frames = _app_frames(exc_info) or traceback.extract_tb(exc_info[2])
    frame = frames[-1] if frames else None
    where = f"{frame.filename.removeprefix(PROJECT + '/')}:{frame.lineno} in {frame.name}" if frame else "?"
    return f"{exc_info[0].__name__} at {where}"


@dataclass
class Sent:
    """A request's outcome: its response, or None when an exception escaped the app."""

    status: int | None
    location: str = ""
    text: str = ""


class Prober:
    """Sends requests through a test client and records every failure: a 5xx answer, an
    exception escaping the app (a BaseException kills a gunicorn worker; any other reaches
    the visitor as gunicorn's bare 500), and a refused POST that still wrote rows."""

    # A failed login is refused (401) and still records who tried and counts the failure
    # towards the email's throttle: those rows are the point of the refusal.
    ALLOWED_ON_REFUSAL = {"accounts.login": {"audit_events", "login_throttles"}}

    def __init__(self, app: Flask, client: FlaskClient, who: str):
        self.app, self.client, self.who = app, client, who
        self.failures: list[Failure] = []
        self.count = 0
        self.adapter = app.url_map.bind("localhost")
        # The app's log goes only to the prober while it runs: the report quotes it where it
        # matters, and pytest would otherwise print thousands of tracebacks.
        self._records = _Records()
        self._logger_state = (app.logger.handlers[:], app.logger.propagate)
        app.logger.handlers[:] = [self._records]
        app.logger.propagate = False
        from campaign.jobs.models import Job
        from campaign.petitions.counts import COUNT_TABLES, REFRESH_JOB

        def rows(table):
            query = sa.select(sa.func.count()).select_from(table)
            if table is Job.__table__:
                query = query.where(Job.name != REFRESH_JOB)
            return query.scalar_subquery().label(table.name)

        # A page showing a petition claims a refresh of its stale counts, by design
        # (ARCHITECTURE: "a page view writes nothing, unless..."), refused form or not: the
        # refresh job and the count tables it rewrites are not the refused action's writes.
        tables = [
            table
            for table in db.metadata.sorted_tables
            if table.name != "alembic_version" and table not in COUNT_TABLES
        ]
        self._counts_query = sa.select(*(rows(table) for table in tables))
        self._counts: dict[str, int] | None = None

    def verdict(self) -> str:
        """The report of every failure, after checking the jobs: none left running (a runner
        thread that died leaves its job "running" for ever), none failed (jobs run eagerly here,
        mail goes to files: a failure is a crash, not a mail server that blinked)."""
        from campaign.jobs.models import Job, JobStatus

        self.app.logger.handlers[:], self.app.logger.propagate = self._logger_state
        db.session.expire_all()
        unfinished = (JobStatus.RUNNING, JobStatus.RETRYING, JobStatus.FAILED)
        for job in db.session.scalars(sa.select(Job).where(Job.status.in_(unfinished))):
            error = (job.last_error or "").strip().splitlines()[-1:] or [""]
            self.fail(f"job {job.name}", "JOB", f"#{job.id}", str(job.arguments)[:200], f"{job.status}", error[0])
        return self.report() if self.failures else ""

    def endpoint(self, url: str, method: str) -> str:
        try:
            rule, _ = self.adapter.match(unquote(urlsplit(url).path, errors="surrogateescape"), method, True)
        except HTTPException:
            return f"(no rule) {method} {urlsplit(url).path[:40]}"
        except Exception:  # a path werkzeug itself cannot read
            return f"(unreadable path) {method}"
        return rule.endpoint

    def row_counts(self) -> dict[str, int]:
        with db.engine.connect() as connection:
            return dict(connection.execute(self._counts_query).mappings().one())

    def get(self, url: str, endpoint: str | None = None) -> Sent:
        self.forget_counts()
        return self._send("GET", url, endpoint, {})

    def forget_counts(self) -> None:
        """Call after writing outside the prober (logging a user in)."""
        self._counts = None

    def post(
        self,
        url: str,
        pairs: list[tuple[str, Value]] | None = None,
        files: dict | None = None,
        endpoint: str | None = None,
        label: str = "",
    ) -> Sent:
        if files is not None:  # multipart: the test client encodes it
            kwargs = {"data": {**dict(pairs or []), **files}, "content_type": "multipart/form-data"}
            body = label or f"{sorted(dict(pairs or []))} + files {sorted(files)}"
        else:
            kwargs = {"data": urlencode(pairs or []), "content_type": "application/x-www-form-urlencoded"}
            body = label or ", ".join(f"{key}={show(value, 40)}" for key, value in (pairs or []) if value != "")
        endpoint = endpoint or self.endpoint(url, "POST")
        # The counts after one POST are the counts before the next, unless something else wrote.
        before = self._counts or self.row_counts()
        sent = self._send("POST", url, endpoint, kwargs, body)
        self._counts = after = self.row_counts()
        if sent.status is not None and self.refused(sent):
            allowed = self.ALLOWED_ON_REFUSAL.get(endpoint, set())
            changed = {name: after[name] - before[name] for name in after if after[name] != before[name]}
            changed = {name: delta for name, delta in changed.items() if name not in allowed}
            if changed:
                grown = ", ".join(f"{name} {delta:+d}" for name, delta in sorted(changed.items()))
                self.fail(endpoint, "POST", url, body, f"refused with {sent.status} but wrote rows: {grown}")
        return sent

    @staticmethod
    def refused(sent: Sent) -> bool:
        return 400 <= sent.status < 500 or Prober.sent_to_login(sent)

    @staticmethod
    def sent_to_login(sent: Sent) -> bool:
        """The redirect Flask-Login answers a visitor without a session with (?next=: the page
        asked for; logging out also lands on /login, without it)."""
        location = urlsplit(sent.location)
        return 300 <= sent.status < 400 and location.path == "/login" and "next=" in location.query

    def _send(self, method: str, url: str, endpoint: str | None, kwargs: dict, body: str = "") -> Sent:
        endpoint = endpoint or self.endpoint(url, method)
        self.count += 1
        del self._records.records[:]
        try:
            response = self.client.open(url, method=method, **kwargs)
            text = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
            sent = Sent(response.status_code, response.headers.get("Location", ""), text)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001  the point: nothing may escape
            kind = "Exception" if isinstance(error, Exception) else "BaseException (kills the gunicorn worker)"
            problem = f"{kind} escaped the app: {type(error).__module__}.{type(error).__qualname__}"
            exc_info = sys.exc_info()
            self.fail(endpoint, method, url, body, problem, _trace_tail(exc_info), _cause(exc_info))
            return Sent(None)
        if sent.status >= 500:
            logged = [record for record in self._records.records if record.exc_info]
            trace = _trace_tail(logged[-1].exc_info) if logged else "(nothing logged)"
            cause = _cause(logged[-1].exc_info) if logged else ""
            self.fail(endpoint, method, url, body, f"answered {sent.status}", trace, cause)
        return sent

    def fail(self, endpoint, method, url, body, problem, trace="", cause=""):
        shown_url = url if len(url) <= 120 else f"{url[:100]}...({len(url)} long)"
        request = f"{self.who}: {method} {shown_url}" + (f"  [{body[:300]}]" if body else "")
        self.failures.append(Failure(endpoint, request, problem, trace, cause))

    def report(self) -> str:
        """The causes first (where in the app, with the end of a traceback), then the failures
        grouped by endpoint with the requests that caused them."""
        causes: dict[tuple[str, str], list[Failure]] = defaultdict(list)
        groups: dict[str, dict[tuple[str, str], list[Failure]]] = defaultdict(lambda: defaultdict(list))
        for failure in self.failures:
            causes[(failure.problem, failure.cause)].append(failure)
            groups[failure.endpoint][(failure.problem, failure.cause)].append(failure)
        lines = [f"{len(self.failures)} failure(s) in {self.count} requests, {len(causes)} cause(s):"]
        for number, ((problem, cause), failures) in enumerate(causes.items(), start=1):
            endpoints = sorted({failure.endpoint for failure in failures})
            lines.append(f"\n[{number}] {problem}{': ' + cause if cause else ''}")
            lines.append(f"    {len(failures)} request(s) on {', '.join(endpoints)}; e.g. {failures[0].request}")
            lines.extend(f"    | {line}" for line in failures[0].trace.splitlines())
        numbers = {key: number for number, key in enumerate(causes, start=1)}
        lines.append("\nBy endpoint:")
        for endpoint in sorted(groups):
            lines.append(f"== {endpoint}")
            for key, failures in groups[endpoint].items():
                lines.append(f"  [{numbers[key]}] x{len(failures)}, e.g.")
                lines.extend(f"      {failure.request}" for failure in failures[:2])
        return "\n".join(lines)


# --- the site: real URLs for each rule, found by crawling ---------------------------------


@dataclass
class Site:
    """What a crawl found: example URLs per rule, the forms on the pages, query keys in links."""

    app: Flask
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # by rule_key
    forms: dict[str, list[Form]] = field(default_factory=lambda: defaultdict(list))  # by who saw them
    query_keys: set[str] = field(default_factory=set)
    keys_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # query keys by rule_key
    visited: set[str] = field(default_factory=set)

    def rule_of(self, url: str, method: str = "GET") -> tuple[Rule, dict] | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            return self.app.url_map.bind("localhost").match(parts.path, method, return_rule=True)
        except HTTPException:
            return None

    def crawl(self, client: FlaskClient, who: str, seeds: Iterable[str], per_rule: int = 2) -> None:
        """Visit `seeds` and the links and GET forms of their pages as `who`: each path once,
        at most `per_rule` paths per rule (hundreds of signatures are one page's worth)."""
        queue = list(seeds)
        while queue:
            url = urljoin("http://localhost/", queue.pop(0)).split("#")[0]
            matched = self.rule_of(url)
            path = urlsplit(url).path
            if matched is None:
                continue
            keys = {key for key, _ in _query_pairs(url)}
            self.query_keys.update(keys)
            self.keys_of[rule_key(matched[0])].update(keys)
            if f"{who} {path}" in self.visited:
                continue
            examples = self.examples[rule_key(matched[0])]
            local = url.removeprefix("http://localhost")
            if local not in examples:
                if len(examples) >= per_rule:
                    continue
                examples.append(local)
            self.visited.add(f"{who} {path}")
            response = client.get(local)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            page = read_page(url, response.get_data(as_text=True))
            queue.extend(page.links)
            for form in page.forms:
                if form.method == "get":
                    queue.append(form.action + "?" + urlencode((f.name, f.value) for f in form.inputs))
                    continue
                post_rule = self.rule_of(form.action, "POST")
                form.endpoint = post_rule[0].endpoint if post_rule else "(no rule)"
                if not any((seen.endpoint, seen.names) == (form.endpoint, form.names) for seen in self.forms[who]):
                    self.forms[who].append(form)

    def rules(self, method: str | None = None) -> list[Rule]:
        rules = sorted(self.app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))
        return [rule for rule in rules if method is None or method in rule.methods]

    def real_values(self, rule: Rule) -> dict[str, str]:
        """Path arguments for `rule` that exist: from a URL seen for it, or else the first value
        seen for an argument of that name on any rule ("1" for an integer nobody showed)."""
        seen: dict[str, str] = {}
        for key, urls in self.examples.items():
            for url in urls:
                matched = self.rule_of(url)
                if matched:
                    values = {name: str(value) for name, value in matched[1].items()}
                    if key == rule_key(rule):
                        return values
                    for name, value in values.items():
                        seen.setdefault(name, value)
        return {name: seen.get(name, "1") for name in rule.arguments}


def build_url(rule: Rule, values: dict[str, Value]) -> str:
    """`rule`'s path with `values` percent-encoded as they are (url_for would refuse bytes)."""

    def fill(match: re.Match) -> str:
        converter, name = match.group(1) or "", match.group(2)
        return quote(values[name], safe="/" if converter.startswith("path") else "")

    return re.sub(r"<(?:([^:<>]+):)?(\w+)>", fill, rule.rule)


def with_query(url: str, pairs: Iterable[tuple[Value, Value]]) -> str:
    query = urlencode(pairs)
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


def rule_key(rule: Rule) -> str:
    return f"{rule.endpoint} {rule.rule}"


def _query_pairs(url: str) -> Iterator[tuple[str, str]]:
    query = urlsplit(url).query
    for part in filter(None, query.split("&")):
        key, _, value = part.partition("=")
        yield unquote(key), unquote(value)


def upload(content: bytes, filename: str = "sheet.csv") -> tuple[BytesIO, str]:
    return BytesIO(content), filename
