"""Figures over time: counts grouped by hour (or minute) in SQL, gathered into local days in Python.

The database groups by UTC hour (one expression for both engines), so a chart of a
campaign in Wisconsin puts an 8 pm signature on its own day, not on tomorrow's UTC date;
the hours of a few months are a few thousand small rows, however many actions there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class HourBucket(FunctionElement):
    """The UTC hour a UTCDateTime column falls in, as text 'YYYY-MM-DD HH:00:00' on both
    engines (SQLite stores the datetime as text already)."""

    type = String()
    inherit_cache = True
    name = "hour_bucket"
    formats = ("%Y-%m-%d %H:00:00", "hour", "YYYY-MM-DD HH24:00:00")  # SQLite, then PostgreSQL


class MinuteBucket(HourBucket):
    """The same to the minute, 'YYYY-MM-DD HH:MM:00' (bursts faster than a person types)."""

    inherit_cache = True
    name = "minute_bucket"
    formats = ("%Y-%m-%d %H:%M:00", "minute", "YYYY-MM-DD HH24:MI:00")


@compiles(HourBucket, "sqlite")
@compiles(MinuteBucket, "sqlite")
def _bucket_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"strftime('{element.formats[0]}', {column})"


@compiles(HourBucket, "postgresql")
@compiles(MinuteBucket, "postgresql")
def _bucket_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    _sqlite, unit, pattern = element.formats
    return f"to_char(date_trunc('{unit}', {column}), '{pattern}')"


def hour_bucket(column) -> HourBucket:
    return HourBucket(column)


def minute_bucket(column) -> MinuteBucket:
    return MinuteBucket(column)


def hour_start(bucket: str) -> datetime:
    return datetime.fromisoformat(bucket).replace(tzinfo=UTC)


def daily_counts(
    hour_counts: Iterable[tuple[str | datetime, int]],
    zone: ZoneInfo,
    first: date | None = None,
    last: date | None = None,
) -> list[tuple[date, int]]:
    """Per local day from per-hour counts (the bucket text or an aware hour start), every day
    from `first` (the earliest day with a count when None) to `last` (today in `zone` when
    None) included, zeros filled in."""
    per_day: dict[date, int] = {}
    for bucket, count in hour_counts:
        start = hour_start(bucket) if isinstance(bucket, str) else bucket
        day = start.astimezone(zone).date()
        per_day[day] = per_day.get(day, 0) + count
    last = last or datetime.now(UTC).astimezone(zone).date()
    if first is None:
        first = min(per_day, default=last)
    days = [first + timedelta(days=offset) for offset in range(max((last - first).days + 1, 0))]
    return [(day, per_day.get(day, 0)) for day in days]


def running_total(days: list[tuple[date, int]], before: int = 0) -> list[tuple[date, int]]:
    """The same days with the total so far (`before`: what came before the first day)."""
    total, out = before, []
    for day, count in days:
        total += count
        out.append((day, total))
    return out
