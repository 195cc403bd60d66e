"""Declarative base, shared column helpers and the convention for member columns.

Every table carries ``guild_id``: a server never sees another's data. Every column that
holds a Discord user id is declared with :func:`member_column`, which tags it so that the
privacy service can export and erase a member's data in every table without each area
having to remember to plug itself in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MEMBER_INFO_KEY = "member"
Erase = Literal["delete", "anonymize"]


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes; SQLite drops the zone, so put it back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
RowId = BigInteger().with_variant(Integer(), "sqlite")


def id_column() -> Mapped[int]:
    """A surrogate primary key, auto-incremented on every backend."""
    return mapped_column(RowId, primary_key=True, autoincrement=True)


def snowflake_column(*, nullable: bool = True) -> Mapped[Any]:
    """A Discord id that is not a member (channel, role, message...)."""
    return mapped_column(BigInteger, nullable=nullable)


def guild_column(*, primary_key: bool = False) -> Mapped[int]:
    """The Discord guild (server) a row belongs to."""
    return mapped_column(
        BigInteger, primary_key=primary_key, index=not primary_key, autoincrement=False
    )


def member_column(
    *,
    primary_key: bool = False,
    nullable: bool = False,
    erase: Erase = "delete",
    index: bool = True,
) -> Mapped[Any]:
    """A Discord user id; ``erase`` says what privacy deletion does to the row.

    ``delete`` removes the row; ``anonymize`` keeps the row (for example a moderator's
    entry in the audit log) and sets this column to NULL, so it must be nullable.
    """
    if erase == "anonymize" and not nullable:
        raise ValueError("an anonymized member column must be nullable")
    return mapped_column(
        BigInteger,
        primary_key=primary_key,
        nullable=nullable,
        index=index and not primary_key,
        autoincrement=False,
        info={MEMBER_INFO_KEY: erase},
    )
