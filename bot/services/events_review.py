"""The review queue of events imported from feeds: moderators approve (announce) or reject.

Approving turns the item into an event exactly like ``/event create`` would (reminders,
audit entry), in the same transaction that marks the item approved, so two moderators
clicking at once announce it once. Items whose start has passed drop out of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.text import quote
from bot.errors import Conflict, NotFound
from bot.models import Event, EventFeedItem
from bot.services.audit import write_audit
from bot.services.config import ConfigService
from bot.services.events_store import (
    EventDraft,
    EventRecord,
    insert_event,
    record_of,
    require_enabled,
)


@dataclass(frozen=True, slots=True)
class FeedItemRecord:
    id: int
    guild_id: int
    source_url: str
    kind: str
    title: str
    description: str | None
    location: str | None
    url: str | None
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    status: str


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    item: FeedItemRecord | None
    """The next item to review (soonest first), or None when the queue is empty."""
    waiting: int
    """How many items wait, this one included."""


def _record(row: EventFeedItem) -> FeedItemRecord:
    return FeedItemRecord(
        id=row.id,
        guild_id=row.guild_id,
        source_url=row.source_url,
        kind=row.kind,
        title=row.title,
        description=row.description,
        location=row.location,
        url=row.url,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=row.timezone,
        status=row.status,
    )


class EventReviewService:
    def __init__(self, db: Database, clock: Clock, config: ConfigService) -> None:
        self._db = db
        self._clock = clock
        self._config = config

    async def next(self, guild_id: int) -> ReviewQueue:
        require_enabled(await self._config.get(guild_id))
        now = self._clock.now()
        async with self._db.read() as session:
            pending = (
                EventFeedItem.guild_id == guild_id,
                EventFeedItem.status == "pending",
                EventFeedItem.starts_at > now,
            )
            waiting = int(
                await session.scalar(
                    select(func.count()).select_from(EventFeedItem).where(*pending)
                )
                or 0
            )
            row = (
                await session.scalars(
                    select(EventFeedItem)
                    .where(*pending)
                    .order_by(EventFeedItem.starts_at, EventFeedItem.id)
                    .limit(1)
                )
            ).first()
        return ReviewQueue(_record(row) if row is not None else None, waiting)

    async def approve(
        self, guild_id: int, actor_id: int, item_id: int
    ) -> tuple[FeedItemRecord, EventRecord]:
        """Announce the item as an event; the caller posts the announcement."""
        config = require_enabled(await self._config.get(guild_id))
        now = self._clock.now()
        async with self._db.write() as session:
            item = await self._pending(session, guild_id, item_id, now)
            draft = EventDraft(
                kind=item.kind,
                title=item.title,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                timezone=item.timezone,
                description=item.description,
                location=item.location,
                url=item.url,
            )
            event = await insert_event(session, config, draft, actor_id, now)
            item.status, item.event_id = "approved", event.id
            item.reviewed_by, item.reviewed_at = actor_id, now
            return _record(item), await record_of(session, event)

    async def reject(self, guild_id: int, actor_id: int, item_id: int) -> FeedItemRecord:
        require_enabled(await self._config.get(guild_id))
        now = self._clock.now()
        async with self._db.write() as session:
            item = await self._pending(session, guild_id, item_id, now)
            item.status, item.reviewed_by, item.reviewed_at = "rejected", actor_id, now
            await write_audit(
                session,
                guild_id=guild_id,
                actor_id=actor_id,
                action="event.feed_reject",
                summary=f"Rejected the imported event {quote(item.title, 100)}.",
                now=now,
                details={"item_id": item.id, "source": item.source_url},
            )
            return _record(item)

    async def undo_approval(self, guild_id: int, item_id: int) -> None:
        """The announcement could not be posted: drop the new event, queue the item again."""
        async with self._db.write() as session:
            item = await session.get(EventFeedItem, item_id, with_for_update=True)
            if item is None or item.guild_id != guild_id or item.event_id is None:
                return
            await session.execute(
                delete(Event).where(Event.guild_id == guild_id, Event.id == item.event_id)
            )
            item.status, item.event_id, item.reviewed_by, item.reviewed_at = (
                "pending",
                None,
                None,
                None,
            )

    @staticmethod
    async def _pending(
        session: AsyncSession, guild_id: int, item_id: int, now: datetime
    ) -> EventFeedItem:
        item = await session.get(
            EventFeedItem, item_id, with_for_update=True, populate_existing=True
        )
        if item is None or item.guild_id != guild_id:
            raise NotFound("That imported event is no longer in the review queue.")
        if item.status != "pending":
            raise Conflict(f"{quote(item.title)} was already {item.status} by another moderator.")
        if item.starts_at <= now:
            raise Conflict(f"{quote(item.title)} has already started; it can't be announced now.")
        return item
