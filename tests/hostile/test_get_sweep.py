"""GET every rule of `app.url_map` with hostile path arguments and query strings. The pages a
visitor can open are swept anonymously, the others (organizer pages) as an admin. Nothing may
answer 5xx or let an exception escape; the failures are listed together, grouped by endpoint."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from tests.hostile.kit import (
    DIGITS_OF_EVERY_SCRIPT,
    NASTY,
    NUMERIC_NAME,
    URL_FOR_KEYWORDS,
    Prober,
    Sent,
    build_url,
    explore,
    hostile_values,
    rule_key,
    with_query,
)

# Each query key alone gets these; all keys together get every NASTY value.
KEY_VALUES = ["99999999999999999999"]


def _path_values(rule, name: str) -> list:
    # int() reads every script's digits, and werkzeug's int converter matches them (\d).
    numeric = isinstance(rule._converters[name], IntegerConverter) or NUMERIC_NAME.search(name)
    return NASTY + (DIGITS_OF_EVERY_SCRIPT if numeric else [])


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_no_path_argument_or_query_string_crashes_a_page(app, site, client, admin_client, who):
    http = client if who == "anonymous" else admin_client
    prober = Prober(app, http, who)
    rules = []
    for rule in site.rules("GET"):
        real = site.real_values(rule)
        url = site.examples.get(rule_key(rule), [build_url(rule, real)])[0]
        answer = client.get(url)
        opens = not Prober.refused(Sent(answer.status_code, answer.headers.get("Location", "")))
        if opens == (who == "anonymous"):
            rules.append((rule, real, url))
    for rule, real, url in rules:
        # Keys the page's own links use, its path arguments (slug=x, token=x) and url_for's keywords.
        keys = sorted(site.keys_of[rule_key(rule)] | set(rule.arguments) | set(URL_FOR_KEYWORDS) | {"lang"})
        for key in keys:
            for value in KEY_VALUES:
                prober.get(with_query(url, [(key, value)]), rule.endpoint)
        for value in NASTY:
            prober.get(with_query(url, [(key, value) for key in keys]), rule.endpoint)
        repeated = [(key, value) for key in keys for value in ("en", "es", "1", "99999999999999999999")]
        prober.get(with_query(url, repeated), rule.endpoint)
        for name in rule.arguments:
            for value in _path_values(rule, name):
                prober.get(build_url(rule, real | {name: value}), rule.endpoint)

    all_keys = sorted(site.query_keys | set(URL_FOR_KEYWORDS) | {"lang"})

    def request_for(rule):
        real = site.real_values(rule)
        arguments = st.fixed_dictionaries(
            {name: st.one_of(st.just(real[name]), hostile_values()) for name in sorted(rule.arguments)}
        )
        query = st.lists(st.tuples(st.sampled_from(all_keys) | hostile_values(), hostile_values()), max_size=4)
        return st.tuples(st.just(rule), arguments, query)

    explore(
        st.sampled_from([rule for rule, _, _ in rules]).flatmap(request_for),
        lambda drawn: prober.get(with_query(build_url(drawn[0], drawn[1]), drawn[2]), drawn[0].endpoint),
        max_examples=100,
    )
    if verdict := prober.verdict():
        pytest.fail(verdict, pytrace=False)
