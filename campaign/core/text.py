"""Small text helpers shared by every area."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The range of PostgreSQL's `integer`, the type of every id and count column: a number
# outside it is refused before it reaches a query.
INT_MAX = 2**31 - 1
# Digits are [0-9] and nothing else: Python's \d, int() and str.isdigit() also take the
# digits of other scripts ("５", "٥"), which native code and the database do not.
ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")

# C0 and C1 controls, and the bidirectional overrides and isolates that make a text read
# differently from what it holds.
CONTROL_RANGES = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_LINE_CONTROLS = re.compile(rf"[{CONTROL_RANGES}]")
_TEXT_CONTROLS = re.compile(rf"(?![\t\n])[{CONTROL_RANGES}]")


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lower case, hyphen-separated: "Fin al 287(g) en Brown" -> "fin-al-287-g-en-brown"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def blank_to_none(value: str | None) -> str | None:
    """Trimmed text, or None for an optional field left empty."""
    return (value or "").strip() or None


def fold_words(text: str) -> str:
    """Words to match on: accents, case and punctuation ignored ("Doña Ana" and "DONA ANA"
    agree); letters of every script are kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.findall(r"\w+", bare))


def name_key(first_name: str, last_name: str) -> str:
    """A person's name as paper and online entries can be matched on: accents, case and
    punctuation ignored ("José Núñez-Ruiz" and "jose nunez ruiz" agree)."""
    return fold_words(f"{first_name} {last_name}")[:200]


def phone_digits(phone: str | None) -> str | None:
    """A phone number as search matches it: ASCII digits only ("(920) 555-0100" -> "9205550100")."""
    digits = re.sub(r"[^0-9]", "", phone or "")
    return digits[:40] or None


REFERRAL_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?")
MAX_REFERRAL = 40


def clean_referral(raw: str | None) -> str | None:
    """A `?source=` code as it is kept on an action: lower case letters, digits, "-" and "_",
    at most 40. Anything else is dropped (None), never refused: the action still counts."""
    value = (raw or "").strip().lower()
    return value if len(value) <= MAX_REFERRAL and REFERRAL_PATTERN.fullmatch(value) else None


def ascii_int(text: str | None, low: int = 0, high: int = INT_MAX) -> int | None:
    """The integer `text` spells in ASCII digits (an optional sign), when it lies within
    [low, high]; None for anything else, other scripts' digits and huge numbers included."""
    value = (text or "").strip()
    if not ASCII_INTEGER.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def clean_control(text: str | None, multiline: bool) -> str | None:
    """Text without control characters. One line (`multiline` false): line breaks and tabs
    become spaces and the ends are trimmed. Several lines: CR LF and a lone CR become LF,
    tabs stay. None stays None."""
    if text is None:
        return None
    if multiline:
        return _TEXT_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _LINE_CONTROLS.sub("", _LINE_BREAKS.sub(" ", text)).strip()


# A scheme (http://), "www.", an @, or a dot between a letter or digit and two letters
# (evil.example, evil.example/verify): what mail programs turn into a link.
_LINK = re.compile(r"://|www\.|@|\w\.[^\W\d_]{2}", re.IGNORECASE)


def looks_like_link(text: str | None) -> bool:
    """Whether `text` holds something a mail program would show as a link or address. A
    name never does, so a "name" that does is someone trying to make our mail carry it.
    Full-width and ideographic look-alikes ("ｅｖｉｌ．ｅｘａｍｐｌｅ", "evil。example") count."""
    folded = unicodedata.normalize("NFKC", text or "").replace("\u3002", ".")
    return bool(_LINK.search(folded))
