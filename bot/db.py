"""The database: one async engine, and sessions handed out one per unit of work.

SQLite is the embedded default and PostgreSQL (asyncpg) the scale-out option; the same
code runs on both. On SQLite we take transaction control away from the driver so that
write units of work start with ``BEGIN IMMEDIATE``: a deferred BEGIN followed by a read
and then a write fails at once with "database is locked" when another connection wrote
in between, and busy_timeout does not help with that case.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_WRITE_OPTION = "cohort_write"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _install_sqlite_pragmas(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    kwargs: dict[str, Any] = {"echo": echo}
    if not is_sqlite(url):
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _install_sqlite_pragmas(engine)
    return engine


class Database:
    """Owns the engine and hands out sessions: ``read()`` for queries, ``write()`` for changes.

    ``write()`` opens a transaction that commits when the block ends and rolls back on an
    exception, so a unit of work either happens whole or not at all.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )
        # SQLite has one writer at a time. Writers of this process queue here instead of
        # racing for the lock: a loser of that race sleeps in SQLite's busy handler (back-off
        # steps up to 100 ms), which under load costs far more than waiting in line.
        # busy_timeout still covers writers in other processes.
        self._sqlite_writers = asyncio.Lock() if is_sqlite(url) else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        if self._sqlite_writers is None:
            async with self._writer() as session, session.begin():
                yield session
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
                await self._sqlite_writers.acquire()
        except TimeoutError:
            # Same outcome as SQLite's own busy timeout, instead of waiting forever (a write
            # opened inside another write of the same task would otherwise hang).
            raise TimeoutError("database is locked: another write held it too long") from None
        try:
            async with self._writer() as session, session.begin():
                yield session
        finally:
            self._sqlite_writers.release()

    async def dispose(self) -> None:
        await self.engine.dispose()
