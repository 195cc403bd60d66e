"""Migrations: a full upgrade/downgrade round trip, and models that match the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot import migrate
from bot.db import Database
from bot.models import Base
from tests.conftest import PG_SKIP_REASON, _drop_postgres, _fresh_postgres_url


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def _round_trip(db: Database) -> None:
    await migrate.upgrade(db.engine)
    assert await migrate.current_revision(db.engine) is not None
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == [], "models and migrations disagree"
        assert await conn.run_sync(_tables) == set(Base.metadata.tables)
    await migrate.downgrade(db.engine, "base")
    assert await migrate.current_revision(db.engine) is None
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set()
    await migrate.upgrade(db.engine)
    assert await migrate.current_revision(db.engine) is not None


async def test_sqlite_migrations_round_trip(tmp_path: object) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/round.db")
    try:
        await _round_trip(db)
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_postgres_migrations_round_trip(request: pytest.FixtureRequest) -> None:
    admin = request.getfixturevalue("postgres_admin_url")
    if not admin:
        pytest.skip(PG_SKIP_REASON)
    url, name = await _fresh_postgres_url(admin)
    db = Database(url)
    try:
        await _round_trip(db)
    finally:
        await db.dispose()
        await _drop_postgres(admin, name)
