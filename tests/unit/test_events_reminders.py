"""Event reminders: each offset exactly once, at the right moment, across restarts and processes."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.services.events_reminders import DueEventReminder, EventReminderDispatcher
from bot.services.events_store import EventRecord

MOD = 4242
START = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)
DAY_BEFORE = START - timedelta(days=1)
HOUR_BEFORE = START - timedelta(hours=1)


class RecordingSink:
    """Stands in for the Discord channel: remembers what was posted."""

    def __init__(self, fail_for: set[int] | None = None) -> None:
        self.posted: list[DueEventReminder] = []
        self._fail_for = fail_for or set()

    async def post_reminder(self, reminder: DueEventReminder) -> None:
        if reminder.event_id in self._fail_for:
            raise RuntimeError("Discord said no")
        self.posted.append(reminder)

    def offsets(self) -> list[int]:
        return [r.offset_minutes for r in self.posted]


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def dispatcher(services: Services, sink: RecordingSink) -> EventReminderDispatcher:
    return EventReminderDispatcher(services.event_reminders, sink)


async def _event(services: Services, guild_id: int, **options: object) -> EventRecord:
    await services.config.set_channel(guild_id, MOD, "announcements", 9_000_001)
    fields: dict[str, object] = {"kind": "meetup", "title": "Paper club"}
    fields.update(options or {"start": "2026-01-10 18:00"})
    return await services.events.create(guild_id, MOD, **fields)  # type: ignore[arg-type]


async def test_each_reminder_fires_once_at_its_moment_mentioning_those_going(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
) -> None:
    event = await _event(services, guild_id)
    await services.rsvps.respond(guild_id, event.id, 11, "going")
    await services.rsvps.respond(guild_id, event.id, 12, "interested")
    clock.set(DAY_BEFORE - timedelta(minutes=1))
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.posted == []
    clock.set(DAY_BEFORE)
    await dispatcher.run_due(guild_ids=[guild_id])
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.offsets() == [1440]
    assert sink.posted[0].going_ids == (11,)
    assert sink.posted[0].starts_at == START
    clock.set(HOUR_BEFORE + timedelta(seconds=30))
    await dispatcher.run_due(guild_ids=[guild_id])
    clock.set(START + timedelta(minutes=5))
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.offsets() == [1440, 60]


async def test_a_reminder_missed_while_down_is_sent_late_once_and_older_ones_are_skipped(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    event = await _event(services, guild_id)
    clock.set(HOUR_BEFORE + timedelta(minutes=20))  # the bot was down for both moments
    with caplog.at_level(logging.WARNING, logger="bot.services.events_reminders"):
        report = await dispatcher.run_due(guild_ids=[guild_id])
    assert (report.sent, report.skipped) == (1, 1)
    assert sink.offsets() == [60]
    assert "a later reminder of the same event was due" in caplog.text
    schedule = await services.event_reminders.schedule(guild_id, event.id)
    assert [s for _, _, s in schedule] == ["skipped", "sent"]


async def test_a_reminder_missed_until_the_event_began_is_skipped_with_a_log_line(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _event(services, guild_id)
    clock.set(START + timedelta(minutes=1))
    with caplog.at_level(logging.WARNING, logger="bot.services.events_reminders"):
        report = await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.posted == []
    assert report.skipped == 2
    assert "the event had already begun" in caplog.text


async def test_two_processes_over_one_database_send_each_reminder_once(
    services: Services, database: Database, guild_id: int, clock: FrozenClock
) -> None:
    for hour in range(8):
        await _event(services, guild_id, start=f"2026-01-10 {10 + hour}:00")
    other = Database(database.url)  # a second process: its own engine and connections
    try:
        other_services = Services.build(other, clock)
        first, second = RecordingSink(), RecordingSink()
        one = EventReminderDispatcher(services.event_reminders, first)
        two = EventReminderDispatcher(other_services.event_reminders, second)
        clock.set(datetime(2026, 1, 9, 19, 0, tzinfo=UTC))  # every day-before reminder is due
        for _ in range(3):
            await asyncio.gather(
                one.run_due(guild_ids=[guild_id]), two.run_due(guild_ids=[guild_id])
            )
    finally:
        await other.dispose()
    sent = [r.reminder_id for r in first.posted + second.posted]
    assert len(sent) == 8
    assert len(set(sent)) == 8


async def test_moving_an_event_moves_its_reminders(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
) -> None:
    event = await _event(services, guild_id)
    await services.events.edit(guild_id, MOD, str(event.id), start="2026-01-12 18:00")
    clock.set(DAY_BEFORE)
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.posted == []
    clock.set(DAY_BEFORE + timedelta(days=2))
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.offsets() == [1440]
    assert sink.posted[0].starts_at == START + timedelta(days=2)


async def test_a_reminder_already_sent_is_not_sent_again_when_the_event_moves_back(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
) -> None:
    event = await _event(services, guild_id)
    clock.set(DAY_BEFORE)
    await dispatcher.run_due(guild_ids=[guild_id])
    await services.events.edit(guild_id, MOD, str(event.id), start="2026-01-10 19:00")
    await services.events.edit(guild_id, MOD, str(event.id), start="2026-01-10 18:00")
    clock.set(HOUR_BEFORE)
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.offsets() == [1440, 60]


async def test_cancelling_stops_the_reminders(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
) -> None:
    event = await _event(services, guild_id)
    await services.events.cancel(guild_id, MOD, str(event.id))
    for moment in (DAY_BEFORE, HOUR_BEFORE):
        clock.set(moment)
        await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.posted == []


async def test_new_reminder_offsets_apply_to_events_already_announced(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
) -> None:
    await _event(services, guild_id)
    await services.config.set_reminder_offsets(guild_id, MOD, "120")
    clock.set(DAY_BEFORE)
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.posted == []
    clock.set(START - timedelta(hours=2))
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.offsets() == [120]


async def test_a_failed_post_is_not_retried_and_does_not_stop_the_others(
    services: Services, guild_id: int, clock: FrozenClock
) -> None:
    broken = await _event(services, guild_id)
    fine = await _event(services, guild_id, start="2026-01-10 18:30")
    sink = RecordingSink(fail_for={broken.id})
    dispatcher = EventReminderDispatcher(services.event_reminders, sink)
    clock.set(DAY_BEFORE + timedelta(minutes=30))
    report = await dispatcher.run_due(guild_ids=[guild_id])
    await dispatcher.run_due(guild_ids=[guild_id])
    assert (report.sent, report.failed) == (1, 1)
    assert [r.event_id for r in sink.posted] == [fine.id]
    statuses = [s for _, _, s in await services.event_reminders.schedule(guild_id, broken.id)]
    assert statuses[0] == "failed"


async def test_reminders_wait_while_events_are_switched_off(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
) -> None:
    await _event(services, guild_id)
    await services.config.set_module(guild_id, MOD, "events", False)
    clock.set(DAY_BEFORE)
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.posted == []
    await services.config.set_module(guild_id, MOD, "events", True)
    await dispatcher.run_due(guild_ids=[guild_id])
    assert sink.offsets() == [1440]


async def test_a_dispatcher_only_serves_its_own_servers(
    services: Services,
    guild_id: int,
    clock: FrozenClock,
    sink: RecordingSink,
    dispatcher: EventReminderDispatcher,
) -> None:
    await _event(services, guild_id)
    clock.set(DAY_BEFORE)
    await dispatcher.run_due(guild_ids=[guild_id + 1])
    assert sink.posted == []
    await dispatcher.run_due(guild_ids=[guild_id])
    assert len(sink.posted) == 1
