"""SQLite tuning: WAL, a busy timeout, and BEGIN IMMEDIATE for requests that write.

pysqlite opens transactions lazily and runs a SELECT outside any transaction, so a
request that reads and then writes fails at once with "database is locked" under
concurrency. We take control of BEGIN (the SQLAlchemy-documented recipe) and start
write transactions with BEGIN IMMEDIATE.
"""

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


@contextmanager
def writing():
    """Mark the enclosed work as a write so SQLite transactions start IMMEDIATE."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)
