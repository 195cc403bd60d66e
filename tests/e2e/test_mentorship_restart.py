"""Offers survive a restart: buttons sent by one bot process work in the next, and the sweep
of the new process moves on what timed out while the bot was down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot import migrate
from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.emulator import DiscordEmulator, run_client
from cogs.mentor import MentorCog
from tests.e2e.conftest import START


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[DiscordEmulator, Database, FrozenClock]]:
    emu = DiscordEmulator()
    await emu.start()
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/restart.db")
    await migrate.upgrade(db.engine)
    yield emu, db, FrozenClock(START)
    await emu.stop()
    await db.dispose()


@asynccontextmanager
async def running_bot(
    emu: DiscordEmulator, db: Database, clock: FrozenClock
) -> AsyncIterator[MentorCog]:
    """A fresh bot process, as after a restart: new services, same database."""
    bot = CohortBot(Services.build(db, clock), guild_ready_timeout=0.05)
    async with run_client(emu, bot):
        cog = bot.get_cog("MentorCog")
        assert isinstance(cog, MentorCog)
        yield cog


async def test_accept_on_an_offer_sent_before_a_restart_still_works(
    world: tuple[DiscordEmulator, Database, FrozenClock],
) -> None:
    emu, db, clock = world
    guild = emu.create_guild("Restart")
    alice = guild.add_member("alice")
    bob = guild.add_member("bob")

    async with running_bot(emu, db, clock):
        await bob.run("/mentor optin", interests="nlp", capacity=1)
        await alice.run("/mentor request", interests="nlp")
        dm = await bob.wait_for_dm(lambda m: "Accept" in m.buttons)

    async with running_bot(emu, db, clock):
        await dm.click("Accept")
        await alice.wait_for_dm(lambda m: "accepted your mentor request" in m.text)
        assert [c.name for c in guild.channels if c.name.startswith("mentor-")] == [
            "mentor-bob-alice"
        ]


async def test_an_offer_that_timed_out_while_the_bot_was_down_moves_on_after_start(
    world: tuple[DiscordEmulator, Database, FrozenClock],
) -> None:
    emu, db, clock = world
    guild = emu.create_guild("Downtime")
    alice = guild.add_member("alice")
    bob = guild.add_member("bob")
    dan = guild.add_member("dan")

    async with running_bot(emu, db, clock):
        await bob.run("/mentor optin", interests="nlp, python", capacity=1)
        await dan.run("/mentor optin", interests="nlp", capacity=1)
        await alice.run("/mentor request", interests="nlp, python")
        await bob.wait_for_dm(lambda m: "Accept" in m.buttons)

    clock.advance(timedelta(hours=49))  # past the default 48 h, while the bot is down

    async with running_bot(emu, db, clock) as cog:
        await cog.expire_offers()
        await dan.wait_for_dm(lambda m: "Accept" in m.buttons)
        assert "mentorship:offers" in cog.bot.scheduler.job_ids()
