"""No browser test asserts on `is_visible()` (or `is_hidden()`): Playwright answers those at
once, before a navigation the last click started has finished, so the test flakes. The
auto-waiting `expect(locator).to_be_visible()` / `.not_to_be_visible()` say the same thing.
Reads the files with `ast`; needs no browser."""

from __future__ import annotations

import ast
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parent
IMMEDIATE = {"is_visible", "is_hidden"}


def racy_asserts(source: str, filename: str) -> list[str]:
    """`file:line` of each assert whose condition calls an immediate visibility check."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Assert) and any(
            isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in IMMEDIATE
            for call in ast.walk(node.test)
        ):
            found.append(f"{filename}:{node.lineno}")
    return found


def test_no_browser_test_asserts_an_immediate_visibility_check():
    # The check itself sees both forms, with or without a message.
    bad = "assert page.locator('h1').is_visible()\nassert not row.is_visible(), 'shown'\nassert x == 1\n"
    assert racy_asserts(bad, "example.py") == ["example.py:1", "example.py:2"]

    found = [
        line
        for path in sorted(BROWSER_TESTS.glob("*.py"))
        for line in racy_asserts(path.read_text(encoding="utf-8"), path.name)
    ]
    assert not found, "use expect(locator).to_be_visible() / .not_to_be_visible() instead of:\n" + "\n".join(found)
