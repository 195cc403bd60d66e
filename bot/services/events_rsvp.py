"""RSVPs: Going, Interested or Not going, with a capacity and a waitlist kept in order.

Seats are counted and taken while the event row is locked (``SELECT ... FOR UPDATE`` on
PostgreSQL; ``BEGIN IMMEDIATE`` serialises all writers on SQLite), so twenty members
clicking Going at once on a five-seat event leave exactly five going and fifteen waiting in
the order their clicks were handled. Whenever a seat frees up, the first on the waitlist
moves up; the caller tells them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.events import RSVP_CHOICES, effective_end
from bot.domain.text import quote
from bot.errors import Conflict, InvalidInput
from bot.models import Event, EventReminder, EventRsvp
from bot.services.config import ConfigService
from bot.services.events_store import (
    EventRecord,
    find_event,
    get_event,
    record_of,
    require_enabled,
)


@dataclass(frozen=True, slots=True)
class EventDetails:
    """``/event info``: the event, who is going, the waitlist in order, the viewer's answer."""

    event: EventRecord
    going_ids: tuple[int, ...]
    waitlist_ids: tuple[int, ...]
    my_status: str | None
    my_position: int | None
    reminders: tuple[datetime, ...]
    """When the reminders still to come are due."""


@dataclass(frozen=True, slots=True)
class RsvpOutcome:
    """The member's answer after the click, and who moved up from the waitlist because of it."""

    event: EventRecord
    status: str
    """going, waitlist, interested or not_going."""
    changed: bool
    position: int | None = None
    """Place on the waitlist (1 = next to move up)."""
    promoted: tuple[int, ...] = ()


async def promote_waitlist(session: AsyncSession, event: Event, now: datetime) -> tuple[int, ...]:
    """Fill free seats from the front of the waitlist; returns who moved up, in order."""
    waiting = list(
        await session.scalars(
            select(EventRsvp)
            .where(EventRsvp.event_id == event.id, EventRsvp.status == "waitlist")
            .order_by(EventRsvp.queue_no)
        )
    )
    if not waiting:
        return ()
    going = await _going_count(session, event.id)
    free = len(waiting) if event.capacity is None else max(0, event.capacity - going)
    promoted = []
    for row in waiting[:free]:
        row.status, row.queue_no, row.responded_at = "going", None, now
        promoted.append(row.user_id)
    await session.flush()
    return tuple(promoted)


async def _going_count(session: AsyncSession, event_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(EventRsvp)
            .where(EventRsvp.event_id == event_id, EventRsvp.status == "going")
        )
        or 0
    )


async def _position(session: AsyncSession, event_id: int, queue_no: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(EventRsvp)
            .where(
                EventRsvp.event_id == event_id,
                EventRsvp.status == "waitlist",
                EventRsvp.queue_no <= queue_no,
            )
        )
        or 0
    )


class RsvpService:
    def __init__(self, db: Database, clock: Clock, config: ConfigService) -> None:
        self._db = db
        self._clock = clock
        self._config = config

    async def respond(self, guild_id: int, event_id: int, user_id: int, choice: str) -> RsvpOutcome:
        """A click on Going, Interested or Not going."""
        if choice not in RSVP_CHOICES:
            raise InvalidInput(f"Unknown answer {quote(choice, 20)}.")
        require_enabled(await self._config.get(guild_id))
        now = self._clock.now()
        async with self._db.write() as session:
            event = await get_event(session, guild_id, event_id, lock=True)
            if event.status == "cancelled":
                raise Conflict(f"{quote(event.title)} was cancelled; RSVPs are closed.")
            if now >= effective_end(event.starts_at, event.ends_at):
                raise Conflict(f"{quote(event.title)} is over; RSVPs are closed.")
            row = await session.get(EventRsvp, (event.id, user_id), populate_existing=True)
            before = row.status if row is not None else None
            if choice == "going" and before in ("going", "waitlist"):
                status, queue_no = before, row.queue_no if row is not None else None
            elif choice == "going":
                status, queue_no = await self._seat_or_place(session, event)
            else:
                status, queue_no = choice, None
            if row is None:
                row = EventRsvp(event_id=event.id, user_id=user_id, guild_id=guild_id)
                session.add(row)
            if status != before:
                row.status, row.queue_no, row.responded_at = status, queue_no, now
            await session.flush()
            # Also heals a seat freed without a click (a member who erased their data).
            promoted = await promote_waitlist(session, event, now)
            position = None
            if row.status == "waitlist" and row.queue_no is not None:
                position = await _position(session, event.id, row.queue_no)
            return RsvpOutcome(
                event=await record_of(session, event),
                status=row.status,
                changed=row.status != before,
                position=position,
                promoted=promoted,
            )

    @staticmethod
    async def _seat_or_place(session: AsyncSession, event: Event) -> tuple[str, int | None]:
        """Going if a seat is free and nobody waits for it, else the next place in line."""
        last = await session.scalar(
            select(func.max(EventRsvp.queue_no)).where(EventRsvp.event_id == event.id)
        )
        if last is None and (
            event.capacity is None or await _going_count(session, event.id) < event.capacity
        ):
            return "going", None
        return "waitlist", (last or 0) + 1

    async def details(self, guild_id: int, ref: str, viewer_id: int) -> EventDetails:
        """``/event info``: the event, who is going, the waitlist in order, the viewer's answer."""
        require_enabled(await self._config.get(guild_id))
        async with self._db.read() as session:
            event = await find_event(session, guild_id, ref)
            rows = list(
                await session.scalars(
                    select(EventRsvp)
                    .where(EventRsvp.guild_id == guild_id, EventRsvp.event_id == event.id)
                    .order_by(EventRsvp.queue_no, EventRsvp.responded_at, EventRsvp.user_id)
                )
            )
            record = await record_of(session, event)
            reminders = tuple(
                await session.scalars(
                    select(EventReminder.due_at)
                    .where(EventReminder.event_id == event.id, EventReminder.status == "pending")
                    .order_by(EventReminder.due_at)
                )
            )
        going = tuple(r.user_id for r in rows if r.status == "going")
        waitlist = tuple(r.user_id for r in rows if r.status == "waitlist")
        mine = next((r for r in rows if r.user_id == viewer_id), None)
        position = waitlist.index(viewer_id) + 1 if viewer_id in waitlist else None
        return EventDetails(
            record, going, waitlist, mine.status if mine else None, position, reminders
        )
