"""Shared fixtures: a migrated database per backend, services over it, a fresh guild per test.

Every query in Cohort is scoped by guild, so tests isolate themselves by using a new guild id
instead of a new database: the schema is migrated once per backend per run.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import migrate
from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database, create_engine
from bot.emulator import loopback_only

PG_URL_ENV = "COHORT_TEST_POSTGRES_URL"
REQUIRE_PG_ENV = "COHORT_REQUIRE_POSTGRES"
PG_SKIP_REASON = (
    f"PostgreSQL tests need {PG_URL_ENV}, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_guild_ids = itertools.count(700_000_000_000_000_000 + secrets.randbelow(10**15) * 1000)


async def _fresh_postgres_url(admin_url: str) -> tuple[str, str]:
    """Create an empty database next to ``admin_url``'s; returns (its URL, its name)."""
    name = f"cohort_test_{secrets.token_hex(4)}"
    admin = create_engine(admin_url)
    try:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url)
    try:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture(autouse=True)
def _nothing_leaves_loopback() -> Iterator[None]:
    """Fail any test that resolves a host other than this machine (no real Discord, ever)."""
    with loopback_only() as refused:
        yield
    assert not refused, f"the test tried to resolve non-loopback hosts: {refused}"


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'cohort.db'}"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if os.environ.get(REQUIRE_PG_ENV):
            pytest.fail(f"{REQUIRE_PG_ENV} is set but {PG_URL_ENV} is not")
        pytest.skip(PG_SKIP_REASON)
    return url


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
async def database(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[Database]:
    """The migrated database, once for SQLite and once for PostgreSQL (when configured)."""
    if request.param == "sqlite":
        db = Database(sqlite_url)
        await migrate.upgrade(db.engine)
        yield db
        await db.dispose()
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    url, name = await _fresh_postgres_url(admin_url)
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        yield db
    finally:
        await db.dispose()
        await _drop_postgres(admin_url, name)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def services(database: Database, clock: FrozenClock) -> Services:
    return Services.build(database, clock)


def new_guild_id() -> int:
    return next(_guild_ids)


@pytest.fixture
def guild_id() -> int:
    return new_guild_id()


@pytest.fixture
def user_ids() -> tuple[int, int, int]:
    base = secrets.randbelow(10**17) + 10**17
    return base, base + 1, base + 2
