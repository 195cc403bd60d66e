"""Events: announcing, editing and cancelling hackathons and meetups, and finding them again.

Everything a moderator types is checked before the transaction starts, so bad input writes
nothing. The Discord side (the announcement message, the scheduled event) is done by the
cog after the write; it reports back what it created with :meth:`EventService.record_posted`,
or undoes a creation it could not announce with :meth:`EventService.discard`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.clock import Clock
from bot.db import Database
from bot.domain.events import (
    DESCRIPTION_MAX,
    LOCATION_MAX,
    MAX_DURATION,
    check_capacity,
    check_kind,
    check_window,
    clean_optional,
    clean_title,
    clean_url,
    effective_end,
    parse_local_time,
)
from bot.domain.text import quote
from bot.domain.timezones import parse_timezone
from bot.errors import Conflict, InvalidInput
from bot.models import Event
from bot.services.audit import write_audit
from bot.services.config import ConfigService, GuildConfig
from bot.services.events_reminders import plan_reminders, stop_reminders
from bot.services.events_rsvp import promote_waitlist
from bot.services.events_store import (
    NO_CHANNEL,
    EventDraft,
    EventRecord,
    find_event,
    get_event,
    insert_event,
    load_counts,
    record_of,
    require_enabled,
    to_record,
)
from bot.services.profiles import ProfileService


@dataclass(frozen=True, slots=True)
class EventChange:
    """The outcome of an edit: the event now, what changed, who moved up from the waitlist."""

    event: EventRecord
    changed: tuple[str, ...]
    promoted: tuple[int, ...] = ()

    @property
    def moved(self) -> bool:
        """The start changed, and the reminders with it."""
        return "start" in self.changed


class EventService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, profiles: ProfileService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._profiles = profiles

    async def settings(self, guild_id: int) -> GuildConfig:
        """The server's settings; ModuleDisabled when a moderator turned events off."""
        return require_enabled(await self._config.get(guild_id))

    async def _timezone(self, guild_id: int, user_id: int, typed: str | None) -> str:
        if typed is not None:
            return parse_timezone(typed)
        return await self._profiles.effective_timezone(guild_id, user_id)

    async def create(
        self,
        guild_id: int,
        actor_id: int,
        *,
        kind: str,
        title: str,
        start: str,
        end: str | None = None,
        timezone: str | None = None,
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
    ) -> EventRecord:
        """``/event create``: check everything, then write the event and plan its reminders."""
        config = await self.settings(guild_id)
        tz = await self._timezone(guild_id, actor_id, timezone)
        starts_at = parse_local_time(start, tz, option="start")
        ends_at = None
        if end is not None and clean_optional(end, option="end", limit=40) is not None:
            ends_at = parse_local_time(end, tz, option="end")
        draft = EventDraft(
            kind=check_kind(kind),
            title=clean_title(title),
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=tz,
            description=clean_optional(description, option="description", limit=DESCRIPTION_MAX),
            location=clean_optional(location, option="location", limit=LOCATION_MAX),
            url=clean_url(url),
            capacity=check_capacity(capacity),
        )
        now = self._clock.now()
        check_window(draft.starts_at, draft.ends_at, now)
        if config.channels.get("announcements") is None:
            raise InvalidInput(NO_CHANNEL)
        async with self._db.write() as session:
            event = await insert_event(session, config, draft, actor_id, now)
            return to_record(event)

    async def record_posted(
        self,
        guild_id: int,
        event_id: int,
        *,
        message_id: int | None = None,
        discord_event_id: int | None = None,
    ) -> None:
        """Remember the announcement message and the Discord scheduled event of an event."""
        async with self._db.write() as session:
            event = await get_event(session, guild_id, event_id, lock=True)
            if message_id is not None:
                event.message_id = message_id
            if discord_event_id is not None:
                event.discord_event_id = discord_event_id

    async def forget_discord_event(self, guild_id: int, event_id: int) -> None:
        """The scheduled event is gone on Discord's side (deleted by an admin)."""
        async with self._db.write() as session:
            event = await get_event(session, guild_id, event_id, lock=True)
            event.discord_event_id = None

    async def discard(self, guild_id: int, event_id: int, reason: str) -> None:
        """Undo a creation that could not be announced: nobody has seen the event yet."""
        async with self._db.write() as session:
            event = await get_event(session, guild_id, event_id, lock=True)
            await session.delete(event)
            await write_audit(
                session,
                guild_id=guild_id,
                actor_id=event.creator_id,
                action="event.discard",
                summary=f"{quote(event.title, 100)} was not announced: {reason}"[:500],
                now=self._clock.now(),
                details={"event_id": event_id},
            )

    async def edit(
        self,
        guild_id: int,
        actor_id: int,
        ref: str,
        *,
        kind: str | None = None,
        title: str | None = None,
        start: str | None = None,
        end: str | None = None,
        timezone: str | None = None,
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
    ) -> EventChange:
        """``/event edit``: change the given fields; ``none`` clears end, location, url or
        description. The reminders follow a new start; more seats move the waitlist up."""
        config = await self.settings(guild_id)
        typed = (kind, title, start, end, location, url, description, capacity)
        if all(v is None for v in typed):
            if timezone is not None:
                raise InvalidInput(
                    "`timezone` says how `start` and `end` are read; give `start` or `end` too."
                )
            raise InvalidInput(
                "Tell me what to change: any of create's options, e.g. `start` or `title`."
            )
        tz = await self._timezone(guild_id, actor_id, timezone)
        new: dict[str, Any] = {}
        if kind is not None:
            new["kind"] = check_kind(kind)
        if title is not None:
            new["title"] = clean_title(title)
        if start is not None:
            new["starts_at"] = parse_local_time(start, tz, option="start")
            new["timezone"] = tz
        if end is not None:
            cleared = clean_optional(end, option="end", limit=40) is None
            new["ends_at"] = None if cleared else parse_local_time(end, tz, option="end")
        if location is not None:
            new["location"] = clean_optional(location, option="location", limit=LOCATION_MAX)
        if url is not None:
            new["url"] = clean_url(url)
        if description is not None:
            new["description"] = clean_optional(
                description, option="description", limit=DESCRIPTION_MAX
            )
        if capacity is not None:
            new["capacity"] = check_capacity(capacity)
        now = self._clock.now()
        async with self._db.write() as session:
            event = await find_event(session, guild_id, ref, lock=True)
            self._check_editable(event, now)
            starts_at: datetime = new.get("starts_at", event.starts_at)
            ends_at: datetime | None = new.get("ends_at", event.ends_at)
            if "starts_at" in new:
                check_window(starts_at, ends_at, now)
            elif "ends_at" in new and ends_at is not None:
                _check_new_end(starts_at, ends_at, now)
            counts = (await load_counts(session, [event.id]))[event.id]
            if "capacity" in new and counts.going > new["capacity"]:
                raise InvalidInput(
                    f"{counts.going} members are already going, so the capacity can't be "
                    f"{new['capacity']}; give at least {counts.going}."
                )
            changed = tuple(
                _FIELD_NAMES[k]
                for k, v in new.items()
                if k != "timezone" and getattr(event, k) != v
            )
            if not changed:
                return EventChange(await record_of(session, event), ())
            for key, value in new.items():
                setattr(event, key, value)
            event.sequence += 1
            event.updated_at = now
            if "start" in changed:
                await plan_reminders(session, event, config.reminder_offsets, now)
            promoted = await promote_waitlist(session, event, now)
            await write_audit(
                session,
                guild_id=guild_id,
                actor_id=actor_id,
                action="event.edit",
                summary=f"Edited {quote(event.title, 100)}: {', '.join(changed)}.",
                now=now,
                details={"event_id": event.id, "changed": list(changed)},
            )
            return EventChange(await record_of(session, event), changed, promoted)

    @staticmethod
    def _check_editable(event: Event, now: datetime) -> None:
        if event.status == "cancelled":
            raise Conflict(
                f"{quote(event.title)} was cancelled, so it can't be edited. "
                "Announce it again with `/event create`."
            )
        if now >= effective_end(event.starts_at, event.ends_at):
            raise Conflict(f"{quote(event.title)} is already over, so it can't be changed.")

    async def cancel(self, guild_id: int, actor_id: int, ref: str) -> EventRecord:
        """``/event cancel``: the event is marked cancelled and its reminders stop."""
        await self.settings(guild_id)
        now = self._clock.now()
        async with self._db.write() as session:
            event = await find_event(session, guild_id, ref, lock=True)
            if event.status == "cancelled":
                raise Conflict(f"{quote(event.title)} is already cancelled.")
            if now >= effective_end(event.starts_at, event.ends_at):
                raise Conflict(f"{quote(event.title)} is already over; there is nothing to cancel.")
            event.status = "cancelled"
            event.cancelled_at = now
            event.updated_at = now
            event.sequence += 1
            await stop_reminders(session, event.id, "the event was cancelled")
            await write_audit(
                session,
                guild_id=guild_id,
                actor_id=actor_id,
                action="event.cancel",
                summary=f"Cancelled {quote(event.title, 100)}.",
                now=now,
                details={"event_id": event.id},
            )
            return await record_of(session, event)

    async def get(self, guild_id: int, ref: str) -> EventRecord:
        await self.settings(guild_id)
        async with self._db.read() as session:
            return await record_of(session, await find_event(session, guild_id, ref))

    async def get_by_id(self, guild_id: int, event_id: int) -> EventRecord:
        async with self._db.read() as session:
            return await record_of(session, await get_event(session, guild_id, event_id))

    async def upcoming(
        self, guild_id: int, kind: str | None = None, *, limit: int = 25
    ) -> list[EventRecord]:
        """Scheduled events that have not ended yet, soonest first."""
        await self.settings(guild_id)
        if kind is not None:
            check_kind(kind)
        now = self._clock.now()
        async with self._db.read() as session:
            stmt = (
                select(Event)
                .where(
                    Event.guild_id == guild_id,
                    Event.status == "scheduled",
                    Event.starts_at > now - MAX_DURATION,
                )
                .order_by(Event.starts_at, Event.id)
            )
            if kind is not None:
                stmt = stmt.where(Event.kind == kind)
            rows = [
                r
                for r in await session.scalars(stmt)
                if now < effective_end(r.starts_at, r.ends_at)
            ][:limit]
            counts = await load_counts(session, [r.id for r in rows])
            return [to_record(r, counts[r.id]) for r in rows]

    async def autocomplete(
        self, guild_id: int, typed: str, *, include_cancelled: bool = False
    ) -> list[tuple[str, str]]:
        """(label, value) pairs for an ``event`` option: upcoming first, then recent ones."""
        config = await self._config.get(guild_id)
        if not config.module_enabled("events"):
            return []
        now = self._clock.now()
        needle = typed.strip().casefold()
        async with self._db.read() as session:
            stmt = select(Event).where(Event.guild_id == guild_id).order_by(Event.starts_at.desc())
            if not include_cancelled:
                stmt = stmt.where(Event.status == "scheduled")
            rows = list(await session.scalars(stmt.limit(200)))
        rows = [r for r in rows if needle in r.title.casefold() or needle == str(r.id)]
        # Upcoming soonest first, then the rest newest first: what people ask about most.
        ahead = sorted(
            (r for r in rows if effective_end(r.starts_at, r.ends_at) > now),
            key=lambda r: r.starts_at,
        )
        rest = [r for r in rows if r not in ahead]
        return [(_label(r), str(r.id)) for r in [*ahead, *rest][:25]]


_FIELD_NAMES = {
    "kind": "kind",
    "title": "title",
    "starts_at": "start",
    "ends_at": "end",
    "location": "location",
    "url": "url",
    "description": "description",
    "capacity": "capacity",
}


def _check_new_end(start: datetime, end: datetime, now: datetime) -> None:
    """A new end for an event whose start stays (it may be running already)."""
    if end <= start:
        raise InvalidInput(
            f"The end <t:{int(end.timestamp())}:F> is not after the start "
            f"<t:{int(start.timestamp())}:F>; give an end later than the start."
        )
    if end <= now:
        raise InvalidInput(f"The end <t:{int(end.timestamp())}:F> is in the past.")
    if end - start > MAX_DURATION:
        raise InvalidInput("An event can last at most 31 days; give an earlier end.")


def _label(event: Event) -> str:
    when = event.starts_at.strftime("%Y-%m-%d %H:%M UTC")
    state = " (cancelled)" if event.status == "cancelled" else ""
    text = f"{event.title} — {when}{state}"
    return text if len(text) <= 100 else text[:99] + "…"
