"""Event reminders through Discord: at the right moment, once, and across a restart."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import CohortBot
from bot.emulator import Message
from tests.e2e.conftest import Server
from tests.e2e.test_events_support import (
    EventsWorld,
    create_event,
    embed_field,
    events_cog,
    events_world,
    new_server,
    rsvp,
    start_bot,
)

EVENT_START = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)
CATCH_UP_TIMEOUT = 5.0


def reminders(server: Server) -> list[Message]:
    return [m for m in server.announcements.messages if m.text.startswith("⏰")]


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EventsWorld]:
    async with events_world(tmp_path_factory.mktemp("reminders")) as built:
        yield built


@pytest.fixture(scope="module")
async def bot(world: EventsWorld) -> AsyncIterator[CohortBot]:
    async with start_bot(world) as running:
        yield running


async def test_reminders_fire_once_at_the_right_moment_mentioning_those_going(
    world: EventsWorld, bot: CohortBot, unexpected_errors: list[logging.LogRecord]
) -> None:
    server = await new_server(world)
    post = await create_event(server)
    await rsvp(post, "Going", server.alice)
    await rsvp(post, "Interested", server.bob)
    cog = events_cog(bot)

    world.clock.set(EVENT_START - timedelta(days=1, minutes=1))
    await cog.run_due()
    assert reminders(server) == []

    world.clock.set(EVENT_START - timedelta(days=1))
    await cog.run_due()
    await cog.run_due()
    [day_before] = reminders(server)
    assert "**Paper club** starts" in day_before.text
    assert f"<t:{int(EVENT_START.timestamp())}:R>" in day_before.text
    assert day_before.pings.users == [server.alice.id]  # only those going are pinged
    assert day_before.pings.roles == []

    world.clock.set(EVENT_START - timedelta(minutes=59))
    await asyncio.gather(cog.run_due(), cog.run_due())
    assert len(reminders(server)) == 2
    world.clock.set(EVENT_START + timedelta(minutes=1))
    await cog.run_due()
    assert len(reminders(server)) == 2


async def test_a_cancelled_event_sends_no_reminders(
    world: EventsWorld, bot: CohortBot, unexpected_errors: list[logging.LogRecord]
) -> None:
    server = await new_server(world)
    post = await create_event(server)
    await rsvp(post, "Going", server.alice)
    await (await server.mod.run("/event cancel", event="Paper club")).wait_final()
    for moment in (EVENT_START - timedelta(days=1), EVENT_START - timedelta(hours=1)):
        world.clock.set(moment)
        await events_cog(bot).run_due()
    assert reminders(server) == []


async def test_an_edited_start_moves_the_reminder(
    world: EventsWorld, bot: CohortBot, unexpected_errors: list[logging.LogRecord]
) -> None:
    server = await new_server(world)
    await create_event(server)
    await (
        await server.mod.run("/event edit", event="Paper club", start="2026-03-05 20:00")
    ).wait_final()
    world.clock.set(EVENT_START - timedelta(days=1))  # the old start's day-before moment
    await events_cog(bot).run_due()
    assert reminders(server) == []
    world.clock.set(EVENT_START - timedelta(days=1) + timedelta(hours=2))
    await events_cog(bot).run_due()
    [day_before] = reminders(server)
    moved = int((EVENT_START + timedelta(hours=2)).timestamp())
    assert f"<t:{moved}:R>" in day_before.text


async def test_a_reminder_due_while_the_bot_was_down_is_sent_once_after_start(
    tmp_path: Path, unexpected_errors: list[logging.LogRecord]
) -> None:
    async with events_world(tmp_path) as world:
        async with start_bot(world):
            server = await new_server(world)
            post = await create_event(server)
            await rsvp(post, "Going", server.alice)
        # The bot is down when the day-before reminder falls due.
        world.clock.set(EVENT_START - timedelta(hours=20))
        async with start_bot(world) as restarted:
            cog = events_cog(restarted)
            await asyncio.wait_for(cog.caught_up.wait(), CATCH_UP_TIMEOUT)
            [late] = reminders(server)
            assert late.pings.users == [server.alice.id]
            await cog.run_due()
            assert len(reminders(server)) == 1
            # The announcement's buttons still work after the restart.
            assert "You're going" in await rsvp(post, "Going", server.bob)
            assert embed_field(post, "Going") == "2"


async def test_a_reminder_missed_until_the_event_began_is_skipped_and_logged(
    tmp_path: Path,
    unexpected_errors: list[logging.LogRecord],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with events_world(tmp_path) as world:
        async with start_bot(world):
            server = await new_server(world)
            await create_event(server)
        world.clock.set(EVENT_START + timedelta(minutes=10))
        with caplog.at_level(logging.WARNING, logger="bot.services.events_reminders"):
            async with start_bot(world) as restarted:
                await asyncio.wait_for(events_cog(restarted).caught_up.wait(), CATCH_UP_TIMEOUT)
        assert reminders(server) == []
        assert "the event had already begun" in caplog.text
