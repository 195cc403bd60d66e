"""Privacy: export and erase everything the bot holds about a member in one server.

It works from the schema, not from a list kept by hand: every column declared with
``member_column`` is found here, so a table added by a later feature is covered the day it
is created. ``erase="anonymize"`` columns (a moderator's name on an audit entry) are set to
NULL; every other row that names the member is deleted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, and_, delete, or_, select, update

from bot.db import Database
from bot.models import Base
from bot.models.base import MEMBER_INFO_KEY
from bot.services.audit import scrub_member_mentions


@dataclass(frozen=True, slots=True)
class MemberTable:
    table: Table
    delete_columns: tuple[Column[Any], ...]
    anonymize_columns: tuple[Column[Any], ...]


def member_tables() -> list[MemberTable]:
    """Every table with a member column, children before parents (safe delete order)."""
    out = []
    for table in reversed(Base.metadata.sorted_tables):
        tagged = [c for c in table.columns if MEMBER_INFO_KEY in c.info]
        if not tagged:
            continue
        out.append(
            MemberTable(
                table=table,
                delete_columns=tuple(c for c in tagged if c.info[MEMBER_INFO_KEY] == "delete"),
                anonymize_columns=tuple(
                    c for c in tagged if c.info[MEMBER_INFO_KEY] == "anonymize"
                ),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class ErasureReport:
    deleted: dict[str, int]
    anonymized: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.anonymized.values())


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, int) and value > 2**53:
        return str(value)  # snowflakes survive JavaScript readers as strings
    return value


class PrivacyService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def export(self, guild_id: int, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Rows that name the member, per table, as JSON-ready dicts."""
        out: dict[str, list[dict[str, Any]]] = {}
        async with self._db.read() as session:
            for spec in member_tables():
                columns = spec.delete_columns + spec.anonymize_columns
                rows = await session.execute(
                    select(spec.table).where(
                        and_(
                            spec.table.c.guild_id == guild_id,
                            or_(*(c == user_id for c in columns)),
                        )
                    )
                )
                records = [{k: _jsonable(v) for k, v in row._mapping.items()} for row in rows]
                if records:
                    out[spec.table.name] = records
        return out

    async def erase(self, guild_id: int, user_id: int) -> ErasureReport:
        """Delete or anonymize every row that names the member, in one transaction."""
        deleted: dict[str, int] = {}
        anonymized: dict[str, int] = {}
        async with self._db.write() as session:
            for spec in member_tables():
                in_guild = spec.table.c.guild_id == guild_id
                if spec.delete_columns:
                    result = await session.execute(
                        delete(spec.table).where(
                            in_guild, or_(*(c == user_id for c in spec.delete_columns))
                        )
                    )
                    if result.rowcount:  # type: ignore[attr-defined]
                        deleted[spec.table.name] = result.rowcount  # type: ignore[attr-defined]
                for column in spec.anonymize_columns:
                    result = await session.execute(
                        update(spec.table).where(in_guild, column == user_id).values({column: None})
                    )
                    if result.rowcount:  # type: ignore[attr-defined]
                        key = f"{spec.table.name}.{column.name}"
                        anonymized[key] = result.rowcount  # type: ignore[attr-defined]
            # Audit summaries are text: a moderator's correction may name the member.
            scrubbed = await scrub_member_mentions(session, guild_id, user_id)
            if scrubbed:
                anonymized["audit_log.summary"] = scrubbed
        return ErasureReport(deleted, anonymized)
