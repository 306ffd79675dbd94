"""Every call into native code is guarded: a Rust panic (a BaseException, not an Exception)
in the HTML sanitiser shows the text escaped instead of ending the worker."""

from __future__ import annotations

import nh3

from campaign.core.markdown import render_markdown


class NativePanic(BaseException):
    """What pyo3 raises when Rust code panics: not an Exception."""


def test_a_panic_in_the_sanitiser_shows_the_text_escaped(app, monkeypatch):
    def panics(*args, **kwargs):
        raise NativePanic("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(nh3, "clean", panics)
    with app.test_request_context():
        shown = render_markdown("*Warrant* <script>alert(1)</script>")
    assert shown == "<p>*Warrant* &lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_the_sanitiser_still_runs_when_nothing_goes_wrong(app):
    with app.test_request_context():
        assert render_markdown("[a](https://example.org)") == (
            '<p><a href="https://example.org" rel="nofollow noopener noreferrer">a</a></p>\n'
        )
