"""Counting the SQL statements a call runs (the directory's bulk reads promise one)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from campaign.extensions import db


@contextmanager
def statements() -> Iterator[list[str]]:
    """The statements run inside the block, listed as they run."""
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
