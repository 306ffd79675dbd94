"""One person, however they type their address."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.core.errors import DomainError
from campaign.people.services import clean_email, normalize_email


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("  Maria.Lopez@Example.ORG ", "maria.lopez@example.org"),
        ("maria+petition@example.org", "maria@example.org"),
        ("M.a.r.i.a@gmail.com", "maria@gmail.com"),
        ("maria+x@googlemail.com", "maria@gmail.com"),
        ("jose@Pequeño.MX", "jose@pequeño.mx"),
    ],
)
def test_the_same_mailbox_has_one_canonical_form(typed, canonical):
    assert normalize_email(typed) == canonical


def test_clean_keeps_what_the_person_typed_but_trims_and_lowers_the_domain():
    assert clean_email("  Maria.Lopez@Example.ORG ") == "Maria.Lopez@example.org"


@pytest.mark.parametrize("typed", ["josé@ejemplo.mx", "maría.núñez@example.org"])
def test_an_accent_before_the_at_is_refused_with_a_hint(typed):
    """Mail servers could not deliver to it, and the person almost always meant no accent:
    their confirmation would never arrive."""
    with pytest.raises(DomainError) as caught:
        clean_email(typed)
    assert caught.value.field == "email"
    assert "josé@" in caught.value.message and "accents" in caught.value.message


@pytest.mark.parametrize(
    "typed", ["", "maria", "maria@", "@example.org", "maria@@example.org", "maria example@x.org", None]
)
def test_malformed_email_is_refused_beside_the_field(typed):
    with pytest.raises(DomainError) as caught:
        normalize_email(typed)
    assert caught.value.field == "email"
    assert "valid email address" in caught.value.message


local_parts = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9]", fullmatch=True).filter(
    lambda local: ".." not in local and not local.startswith("+")
)
domains = st.sampled_from(["example.org", "Gmail.com", "googlemail.com", "ejemplo.mx", "EXAMPLE.net"])


@given(local=local_parts, domain=domains)
def test_normalizing_twice_changes_nothing(local, domain):
    once = normalize_email(f"{local}@{domain}")
    assert normalize_email(once) == once
    assert once == once.lower()
    assert "+" not in once.partition("@")[0]
