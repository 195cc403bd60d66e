"""``/event ics``: one event, or every upcoming one, as an iCalendar file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from bot.clock import Clock
from bot.db import Database
from bot.domain.event_ical import CalendarEntry, build_calendar
from bot.domain.events import MAX_DURATION, effective_end
from bot.errors import NotFound
from bot.models import Event
from bot.services.config import ConfigService
from bot.services.events_store import find_event, require_enabled


@dataclass(frozen=True, slots=True)
class IcsFile:
    filename: str
    content: bytes
    count: int
    title: str | None
    """The event's title when the file holds one event."""


def event_uid(event: Event) -> str:
    """Stable across edits, so a calendar that imported the file updates the same entry."""
    return f"event-{event.id}-{event.guild_id}@cohort"


def _entry(event: Event) -> CalendarEntry:
    return CalendarEntry(
        uid=event_uid(event),
        kind=event.kind,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=effective_end(event.starts_at, event.ends_at),
        timezone=event.timezone,
        description=event.description,
        location=event.location,
        url=event.url,
        cancelled=event.status == "cancelled",
        sequence=event.sequence,
        updated_at=event.updated_at,
    )


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")
    return slug[:40].strip("-") or "event"


class EventCalendarService:
    def __init__(self, db: Database, clock: Clock, config: ConfigService) -> None:
        self._db = db
        self._clock = clock
        self._config = config

    async def export(self, guild_id: int, ref: str | None = None) -> IcsFile:
        """The named event (cancelled ones too, marked so), or all upcoming scheduled ones."""
        require_enabled(await self._config.get(guild_id))
        now = self._clock.now()
        async with self._db.read() as session:
            if ref is not None:
                event = await find_event(session, guild_id, ref)
                events = [event]
            else:
                rows = await session.scalars(
                    select(Event)
                    .where(
                        Event.guild_id == guild_id,
                        Event.status == "scheduled",
                        Event.starts_at > now - MAX_DURATION,
                    )
                    .order_by(Event.starts_at, Event.id)
                )
                events = [r for r in rows if effective_end(r.starts_at, r.ends_at) > now]
        if not events:
            raise NotFound("There are no upcoming events to export yet.")
        content = build_calendar(
            (_entry(e) for e in events), now=now, name="Events" if ref is None else events[0].title
        )
        if ref is not None:
            return IcsFile(f"{_slug(events[0].title)}.ics", content, 1, events[0].title)
        return IcsFile("upcoming-events.ics", content, len(events), None)
