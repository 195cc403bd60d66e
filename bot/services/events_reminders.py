"""Event reminders: posted at each configured offset before the start, exactly once each.

The ``event_reminders`` table is the source of truth; the scheduler only wakes the
dispatcher up. :meth:`EventReminderService.claim_due` marks a due row as sent *before*
anything is posted (``UPDATE ... WHERE status = 'pending'``), in one transaction, so two
dispatchers (a restart, a late job, a second process) never post the same reminder twice: the
loser's update matches no row. The price is at-most-once: a crash between the claim and the
post loses that one reminder, which is kinder than pinging a channel twice.

A reminder missed while the bot was down is posted on the next run if the event has not
begun; once it has, the reminder is skipped with a log line. When several reminders of one
event are overdue together, only the latest is posted. Moving an event moves its pending
reminders; cancelling stops them; changing ``/config reminders`` re-plans upcoming events.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.models import Event, EventReminder, EventRsvp, GuildSettings
from bot.services._sql import insert_ignore

log = logging.getLogger(__name__)

CLAIM_BATCH = 200


@dataclass(frozen=True, slots=True)
class DueEventReminder:
    """A claimed reminder: post it in the event's channel, mentioning those going."""

    reminder_id: int
    guild_id: int
    event_id: int
    offset_minutes: int
    due_at: datetime
    title: str
    kind: str
    starts_at: datetime
    channel_id: int | None
    message_id: int | None
    going_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SkippedReminder:
    reminder_id: int
    guild_id: int
    event_id: int
    offset_minutes: int
    reason: str


@dataclass(frozen=True, slots=True)
class Claimed:
    due: tuple[DueEventReminder, ...]
    skipped: tuple[SkippedReminder, ...]


@dataclass(frozen=True, slots=True)
class DispatchReport:
    sent: int
    skipped: int
    failed: int


def parse_offsets(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(x) for x in text.split(",") if x.strip()}, reverse=True))


async def plan_reminders(
    session: AsyncSession, event: Event, offsets: Iterable[int], now: datetime
) -> None:
    """(Re)plan an event's reminders from its start: pending rows are replaced, sent ones kept.

    Only reminders still ahead are planned: an event announced two hours before it starts
    gets no "starts in a day" reminder. A reminder already sent for this very start time is
    not planned again (the unique (event, offset, due time) row says so).
    """
    offsets = tuple(offsets)
    await session.execute(
        delete(EventReminder).where(
            EventReminder.event_id == event.id, EventReminder.status == "pending"
        )
    )
    rows = [
        {
            "guild_id": event.guild_id,
            "event_id": event.id,
            "offset_minutes": minutes,
            "due_at": event.starts_at - timedelta(minutes=minutes),
            "status": "pending",
        }
        for minutes in offsets
        if event.starts_at - timedelta(minutes=minutes) > now
    ]
    if rows:
        await insert_ignore(
            session,
            EventReminder.__table__,  # type: ignore[arg-type]
            rows,
            ["event_id", "offset_minutes", "due_at"],
        )
    event.reminder_offsets = ",".join(str(m) for m in offsets)


async def stop_reminders(session: AsyncSession, event_id: int, note: str) -> None:
    await session.execute(
        update(EventReminder)
        .where(EventReminder.event_id == event_id, EventReminder.status == "pending")
        .values(status="cancelled", note=note)
    )


class EventReminderService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def replan_changed_offsets(
        self, now: datetime | None = None, *, guild_ids: Iterable[int] | None = None
    ) -> int:
        """Upcoming events whose reminders were planned from other offsets than the server's.

        ``/config reminders`` only changes the setting; this brings announced events in line
        on the next run. Returns how many events were re-planned.
        """
        now = now or self._clock.now()
        stmt = (
            select(Event, GuildSettings.reminder_offsets)
            .join(GuildSettings, GuildSettings.guild_id == Event.guild_id)
            .where(
                Event.status == "scheduled",
                Event.starts_at > now,
                Event.reminder_offsets != GuildSettings.reminder_offsets,
            )
            .order_by(Event.id)
            .with_for_update(of=Event)
        )
        if guild_ids is not None:
            stmt = stmt.where(Event.guild_id.in_(list(guild_ids)))
        async with self._db.write() as session:
            rows = list(await session.execute(stmt))
            for event, offsets in rows:
                await plan_reminders(session, event, parse_offsets(offsets), now)
        return len(rows)

    async def claim_due(
        self, now: datetime | None = None, *, guild_ids: Iterable[int] | None = None
    ) -> Claimed:
        """Claim every reminder due at ``now`` (see the module docstring); skip stale ones."""
        now = now or self._clock.now()
        stmt = (
            select(EventReminder, Event)
            .join(Event, Event.id == EventReminder.event_id)
            .join(GuildSettings, GuildSettings.guild_id == Event.guild_id)
            .where(
                EventReminder.status == "pending",
                EventReminder.due_at <= now,
                GuildSettings.events_enabled.is_(True),
            )
            # One order for every dispatcher, so two of them never wait on each other's rows.
            .order_by(EventReminder.due_at, EventReminder.id)
            .limit(CLAIM_BATCH)
        )
        if guild_ids is not None:
            stmt = stmt.where(EventReminder.guild_id.in_(list(guild_ids)))
        async with self._db.write() as session:
            candidates = list(await session.execute(stmt))
            latest: dict[int, datetime] = {}
            for reminder, _ in candidates:
                latest[reminder.event_id] = max(
                    latest.get(reminder.event_id, reminder.due_at), reminder.due_at
                )
            claimed: list[tuple[EventReminder, Event]] = []
            skipped: list[SkippedReminder] = []
            for reminder, event in candidates:
                status, reason = "sent", None
                if event.status != "scheduled":
                    status, reason = "cancelled", "the event was cancelled"
                elif now >= event.starts_at:
                    status, reason = "skipped", "the event had already begun"
                elif reminder.due_at < latest[event.id]:
                    status, reason = "skipped", "a later reminder of the same event was due"
                won = await session.execute(
                    update(EventReminder)
                    .where(EventReminder.id == reminder.id, EventReminder.status == "pending")
                    .values(status=status, claimed_at=now, note=reason)
                )
                if won.rowcount != 1:  # type: ignore[attr-defined]
                    continue  # another dispatcher claimed it first
                if reason is None:
                    claimed.append((reminder, event))
                else:
                    skipped.append(
                        SkippedReminder(
                            reminder.id,
                            reminder.guild_id,
                            event.id,
                            reminder.offset_minutes,
                            reason,
                        )
                    )
            going = await self._going(session, {event.id for _, event in claimed})
            due = tuple(
                DueEventReminder(
                    reminder_id=reminder.id,
                    guild_id=event.guild_id,
                    event_id=event.id,
                    offset_minutes=reminder.offset_minutes,
                    due_at=reminder.due_at,
                    title=event.title,
                    kind=event.kind,
                    starts_at=event.starts_at,
                    channel_id=event.channel_id,
                    message_id=event.message_id,
                    going_ids=going.get(event.id, ()),
                )
                for reminder, event in claimed
            )
        return Claimed(due, tuple(skipped))

    async def mark_failed(self, reminder_id: int, note: str) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(EventReminder)
                .where(EventReminder.id == reminder_id)
                .values(status="failed", note=note[:200])
            )

    async def schedule(self, guild_id: int, event_id: int) -> list[tuple[int, datetime, str]]:
        """(offset minutes, due time, status) of an event's reminders, soonest first."""
        async with self._db.read() as session:
            rows = await session.execute(
                select(EventReminder.offset_minutes, EventReminder.due_at, EventReminder.status)
                .where(EventReminder.guild_id == guild_id, EventReminder.event_id == event_id)
                .order_by(EventReminder.due_at)
            )
            return [(m, d, s) for m, d, s in rows]

    @staticmethod
    async def _going(session: AsyncSession, event_ids: set[int]) -> dict[int, tuple[int, ...]]:
        if not event_ids:
            return {}
        rows = await session.execute(
            select(EventRsvp.event_id, EventRsvp.user_id)
            .where(EventRsvp.event_id.in_(event_ids), EventRsvp.status == "going")
            .order_by(EventRsvp.event_id, EventRsvp.responded_at, EventRsvp.user_id)
        )
        out: dict[int, list[int]] = {}
        for event_id, user_id in rows:
            out.setdefault(event_id, []).append(user_id)
        return {k: tuple(v) for k, v in out.items()}


class ReminderSink(Protocol):
    """Where claimed reminders go (the events cog posts them to Discord)."""

    async def post_reminder(self, reminder: DueEventReminder) -> None: ...


class EventReminderDispatcher:
    """Posts whatever is due: what the periodic job (and the run at start) calls."""

    def __init__(self, reminders: EventReminderService, sink: ReminderSink) -> None:
        self._reminders = reminders
        self._sink = sink

    async def run_due(
        self, now: datetime | None = None, *, guild_ids: Iterable[int] | None = None
    ) -> DispatchReport:
        guild_ids = None if guild_ids is None else tuple(guild_ids)
        await self._reminders.replan_changed_offsets(now, guild_ids=guild_ids)
        claimed = await self._reminders.claim_due(now, guild_ids=guild_ids)
        for skip in claimed.skipped:
            log.warning(
                "skipped the %d-minute reminder of event %s in guild %s: %s",
                skip.offset_minutes,
                skip.event_id,
                skip.guild_id,
                skip.reason,
            )
        failed = 0
        for reminder in claimed.due:
            try:
                await self._sink.post_reminder(reminder)
            except Exception as error:  # a failed post must not stop the others
                failed += 1
                log.warning(
                    "could not post reminder %s of event %s in guild %s",
                    reminder.reminder_id,
                    reminder.event_id,
                    reminder.guild_id,
                    exc_info=True,
                )
                await self._reminders.mark_failed(reminder.reminder_id, f"{error}"[:200])
        return DispatchReport(len(claimed.due) - failed, len(claimed.skipped), failed)
