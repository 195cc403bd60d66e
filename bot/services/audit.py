"""The audit log: who changed what, written in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    guild_id: int
    actor_id: int | None
    target_user_id: int | None
    action: str
    summary: str
    created_at: datetime


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        id=entry.id,
        guild_id=entry.guild_id,
        actor_id=entry.actor_id,
        target_user_id=entry.target_user_id,
        action=entry.action,
        summary=entry.summary,
        created_at=entry.created_at,
    )


async def write_audit(
    session: AsyncSession,
    *,
    guild_id: int,
    actor_id: int | None,
    action: str,
    summary: str,
    now: datetime,
    target_user_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    entry = AuditEntry(
        guild_id=guild_id,
        actor_id=actor_id,
        target_user_id=target_user_id,
        action=action,
        summary=summary[:500],
        details=details or {},
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return _record(entry)


ERASED_MEMBER = "@former member"


async def scrub_member_mentions(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Replace mentions of an erased member in audit summaries; the entries themselves stay."""
    scrubbed = 0
    for mention in (f"<@{user_id}>", f"<@!{user_id}>"):
        result = await session.execute(
            update(AuditEntry)
            .where(AuditEntry.guild_id == guild_id, AuditEntry.summary.contains(mention))
            .values(summary=func.replace(AuditEntry.summary, mention, ERASED_MEMBER))
        )
        scrubbed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return scrubbed


class AuditService:
    """Reads the audit log (writes happen inside other services' transactions)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent(self, guild_id: int, limit: int = 20) -> list[AuditRecord]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.guild_id == guild_id)
                .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
                .limit(limit)
            )
            return [_record(r) for r in rows]
