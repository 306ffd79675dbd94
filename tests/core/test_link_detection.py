"""core.text.looks_like_link: what a mail program would show as a link is never a name."""

from __future__ import annotations

import pytest

from campaign.core.text import looks_like_link


@pytest.mark.parametrize(
    "text",
    [
        "Visit http://evil.example/verify",
        "https://bank.example",
        "www.evil",
        "WWW.EVIL.EXAMPLE",
        "evil.example",
        "go to evil.example/verify now",
        "maria@example.org",
        "ｅｖｉｌ．ｅｘａｍｐｌｅ",
        "evil。example",
        "hxxp ＠ here",
        "ftp://files",
    ],
)
def test_links_and_addresses(text):
    assert looks_like_link(text)


@pytest.mark.parametrize(
    "text",
    ["María", "José Núñez-Ruiz", "O'Brien", "Dr. Who", "J. R. R.", "Nguyễn Văn An", "محمد", "St. John", "", None],
)
def test_names(text):
    assert not looks_like_link(text)
