"""SQLite tuning: WAL, a busy timeout, and short write transactions that start IMMEDIATE.

pysqlite opens transactions lazily and runs a SELECT outside any transaction, so a
request that reads and then writes fails at once with "database is locked" under
concurrency. We take control of BEGIN (the SQLAlchemy-documented recipe), with listeners on
the app's own engine (`tune`), never on every Engine of the process:

- read-only work runs in a plain (deferred) BEGIN: one consistent snapshot, no lock;
- work marked as writing (`write_intent`: POST requests, `writing()` in commands) reads
  on autocommit snapshots until its first write statement, which opens BEGIN IMMEDIATE.
  The write lock is held only from the first row write to the commit, never across the
  slow work a request does first (decoding photos, hashing a password).

A write that still waits longer than the busy timeout raises "database is locked";
`retrying()` runs the whole unit of work again a bounded number of times.
"""

import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
BUSY_TIMEOUT_MS = 5000
READ_STATEMENTS = ("SELECT", "PRAGMA")


def tune(engine: Engine) -> None:
    """Attach the listeners below to the app's own engine (create_app calls this)."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    event.listen(engine, "before_cursor_execute", _begin_write)


def _configure_sqlite(dbapi_connection, _record):
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection):
    if write_intent.get():
        return  # a write transaction begins at its first write statement (_begin_write)
    connection.exec_driver_sql("BEGIN")


def _begin_write(connection, cursor, statement, _parameters, _context, _executemany):
    """Open BEGIN IMMEDIATE just before the first statement that writes."""
    if not write_intent.get():
        return
    if connection.connection.dbapi_connection.in_transaction:
        return
    if statement.lstrip()[:6].upper() in READ_STATEMENTS:
        return
    cursor.execute("BEGIN IMMEDIATE")


@contextmanager
def writing():
    """Mark the enclosed work as a write so SQLite transactions start IMMEDIATE."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def is_locked(error: BaseException) -> bool:
    """True for SQLite's "database is locked" (the busy timeout ran out)."""
    original = getattr(error, "orig", None)
    if not isinstance(error, OperationalError) or not isinstance(original, sqlite3.Error):
        return False
    return getattr(original, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or (
        "locked" in str(original)
    )


def retrying(work: Callable, undo: Callable[[], None], attempts: int = 3):
    """Run `work()`; when it fails on a lock, `undo()` and run it again (at most `attempts`)."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as error:
            if not is_locked(error) or attempt == attempts:
                raise
            undo()
            time.sleep(random.uniform(0.02, 0.1) * attempt)
