"""What the event services share: the records they return and the queries they all need.

Services hand out :class:`EventRecord` (an event with its RSVP counts), never ORM rows, and
find events by what members type: the id that autocomplete fills in, or a title.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.events import effective_end
from bot.domain.text import quote
from bot.errors import InvalidInput, NotFound
from bot.models import Event, EventRsvp
from bot.services.audit import write_audit
from bot.services.config import GuildConfig
from bot.services.events_reminders import plan_reminders

NO_CHANNEL = (
    "There is no announcements channel yet. A moderator can set one with "
    "`/config channel purpose:announcements`; then create the event again."
)


@dataclass(frozen=True, slots=True)
class RsvpCounts:
    going: int = 0
    interested: int = 0
    not_going: int = 0
    waitlist: int = 0


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    guild_id: int
    kind: str
    title: str
    description: str | None
    location: str | None
    url: str | None
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    capacity: int | None
    status: str
    creator_id: int | None
    channel_id: int | None
    message_id: int | None
    discord_event_id: int | None
    sequence: int
    created_at: datetime
    updated_at: datetime
    counts: RsvpCounts

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def end(self) -> datetime:
        """The end, or the default two hours after the start when none was given."""
        return effective_end(self.starts_at, self.ends_at)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.counts.going >= self.capacity

    def is_over(self, now: datetime) -> bool:
        return now >= self.end


@dataclass(frozen=True, slots=True)
class EventDraft:
    """A checked event, ready to insert (from /event create or an approved feed item)."""

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    description: str | None = None
    location: str | None = None
    url: str | None = None
    capacity: int | None = None


def require_enabled(config: GuildConfig) -> GuildConfig:
    return config.require_module("events")


def to_record(row: Event, counts: RsvpCounts | None = None) -> EventRecord:
    return EventRecord(
        id=row.id,
        guild_id=row.guild_id,
        kind=row.kind,
        title=row.title,
        description=row.description,
        location=row.location,
        url=row.url,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=row.timezone,
        capacity=row.capacity,
        status=row.status,
        creator_id=row.creator_id,
        channel_id=row.channel_id,
        message_id=row.message_id,
        discord_event_id=row.discord_event_id,
        sequence=row.sequence,
        created_at=row.created_at,
        updated_at=row.updated_at,
        counts=counts or RsvpCounts(),
    )


async def load_counts(session: AsyncSession, event_ids: Iterable[int]) -> dict[int, RsvpCounts]:
    ids = list(event_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(EventRsvp.event_id, EventRsvp.status, func.count())
        .where(EventRsvp.event_id.in_(ids))
        .group_by(EventRsvp.event_id, EventRsvp.status)
    )
    tallies: dict[int, dict[str, int]] = {i: {} for i in ids}
    for event_id, status, count in rows:
        tallies[event_id][status] = int(count)
    return {
        i: RsvpCounts(
            going=t.get("going", 0),
            interested=t.get("interested", 0),
            not_going=t.get("not_going", 0),
            waitlist=t.get("waitlist", 0),
        )
        for i, t in tallies.items()
    }


async def record_of(session: AsyncSession, row: Event) -> EventRecord:
    counts = await load_counts(session, [row.id])
    return to_record(row, counts[row.id])


async def get_event(
    session: AsyncSession, guild_id: int, event_id: int, *, lock: bool = False
) -> Event:
    """The event with this id in this server; ``lock`` holds its row until the commit.

    Locking the event row is what serialises RSVPs and edits of one event on PostgreSQL;
    on SQLite every write transaction is already serialised by ``BEGIN IMMEDIATE``.
    """
    stmt = select(Event).where(Event.guild_id == guild_id, Event.id == event_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await session.scalars(stmt.execution_options(populate_existing=True))).first()
    if row is None:
        raise NotFound(
            "I can't find that event in this server. Pick one from the list as you type, "
            "or see `/event list`."
        )
    return row


async def find_event(
    session: AsyncSession, guild_id: int, ref: str, *, lock: bool = False
) -> Event:
    """Resolve what a member typed: an id (what autocomplete fills in) or a title."""
    text = ref.strip().lstrip("#")
    if not text:
        raise InvalidInput("Name an event: pick one from the list as you type.")
    if text.isdigit() and len(text) < 19:
        by_id = (
            await session.scalars(
                select(Event.id).where(Event.guild_id == guild_id, Event.id == int(text))
            )
        ).first()
        if by_id is not None:
            return await get_event(session, guild_id, by_id, lock=lock)
    folded = text.casefold()
    candidates = list(
        await session.execute(
            select(Event.id, Event.title)
            .where(
                Event.guild_id == guild_id,
                func.lower(Event.title).contains(folded.lower(), autoescape=True),
            )
            .order_by(Event.starts_at.desc(), Event.id.desc())
            .limit(10)
        )
    )
    exact = [i for i, title in candidates if title.casefold() == folded]
    matches = exact or [i for i, _ in candidates]
    if not matches:
        raise NotFound(
            f"No event called {quote(text)} in this server. Pick one from the list as you "
            "type, or see `/event list`."
        )
    if len(matches) > 1 and not exact:
        raise InvalidInput(
            f"Several events match {quote(text)}; pick the one you mean from the list as you type."
        )
    # Several events may share a title (a monthly meetup): the newest one is meant.
    return await get_event(session, guild_id, matches[0], lock=lock)


async def insert_event(
    session: AsyncSession,
    config: GuildConfig,
    draft: EventDraft,
    actor_id: int | None,
    now: datetime,
) -> Event:
    """Insert a checked event with its reminders and an audit entry (inside a transaction)."""
    channel_id = config.channels.get("announcements")
    if channel_id is None:
        raise InvalidInput(NO_CHANNEL)
    event = Event(
        guild_id=config.guild_id,
        kind=draft.kind,
        title=draft.title,
        description=draft.description,
        location=draft.location,
        url=draft.url,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        timezone=draft.timezone,
        capacity=draft.capacity,
        status="scheduled",
        creator_id=actor_id,
        channel_id=channel_id,
        reminder_offsets="",
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    await session.flush()
    await plan_reminders(session, event, config.reminder_offsets, now)
    await write_audit(
        session,
        guild_id=config.guild_id,
        actor_id=actor_id,
        action="event.create",
        summary=f"Announced the {draft.kind} {quote(draft.title, 100)}.",
        now=now,
        details={"event_id": event.id},
    )
    return event
