"""Engine settings that make the embedded SQLite database safe for a web app, and a lock
for work that must not run twice at once on either engine."""

from __future__ import annotations

import sqlite3
import zlib

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers work during a write.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(connection, _name) -> None:
    """Python's sqlite3 opens its transaction only before an INSERT, UPDATE or DELETE. A
    SAVEPOINT sent before that opens one of its own, and releasing the savepoint then
    COMMITS: a batch meant to be all-or-nothing would be written row by row. Open the real
    transaction first (IMMEDIATE: the savepoint is there to write, so take the write lock now,
    waiting for it as busy_timeout allows, on a fresh snapshot)."""
    _begin_immediate(connection.connection.dbapi_connection)


def _begin_immediate(dbapi_connection) -> None:
    """On SQLite outside a transaction: open one holding the write lock now, waiting for it as
    busy_timeout allows. Anything else is left as it is."""
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def take_turn(session: Session, name: str) -> None:
    """Hold a lock named `name` until the session's transaction ends, so that two processes
    doing the same read-then-write (count the room left, then fill it) take turns instead of
    both acting on the same count. PostgreSQL: a transaction-level advisory lock. SQLite:
    the write lock itself, taken now (BEGIN IMMEDIATE) rather than at the first write."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(zlib.crc32(name.encode("utf-8")))))
        return
    _begin_immediate(connection.connection.dbapi_connection)
