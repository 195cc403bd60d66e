"""A restart loses no study time: timers and voice resume, milestones stay announced once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import discord
import pytest

from bot import migrate
from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.emulator import DiscordEmulator, run_client
from cogs.study import StudyCog
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
) -> AsyncIterator[StudyCog]:
    """A fresh bot process, as after a restart: new services, same database."""
    bot = CohortBot(Services.build(db, clock), guild_ready_timeout=0.05)
    async with run_client(emu, bot):
        cog = bot.get_cog("StudyCog")
        assert isinstance(cog, StudyCog)
        await cog.voice_settled()
        yield cog


async def test_timer_and_voice_time_survive_a_restart(
    world: tuple[DiscordEmulator, Database, FrozenClock],
) -> None:
    emu, db, clock = world
    guild = emu.create_guild("Restart")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member("maya", roles=[mods])
    alice = guild.add_member("alice")
    bob = guild.add_member("bob")
    hall = guild.create_voice_channel("Study Hall")

    async with running_bot(emu, db, clock) as cog:
        await mod.run("/config voice", channel=hall, tracked=True)
        await bob.run("/study start", topic="probability")
        alice.join_voice(hall)
        guild.add_member("chen").join_voice(hall)
        await emu.settle()
        await cog.voice_settled()
        clock.advance(timedelta(minutes=20))
        await cog.checkpoint_voice()

    clock.advance(timedelta(minutes=10))  # the bot is down; alice keeps studying in voice

    async with running_bot(emu, db, clock) as cog:
        clock.advance(timedelta(minutes=5))
        status = await bob.run("/study status")
        assert "(35 min)" in status.text  # the timer kept running while the bot was down
        stopped = await bob.run("/study stop")
        assert "logged 35 min" in stopped.text
        alice.join_voice(None)  # hangs up
        await emu.settle()
        await cog.voice_settled()
        assert "35/30 min ✅" in (await alice.run("/study status")).text


async def test_a_milestone_is_not_announced_again_after_a_restart(
    world: tuple[DiscordEmulator, Database, FrozenClock],
) -> None:
    emu, db, clock = world
    guild = emu.create_guild("Milestones")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member("maya", roles=[mods])
    alice = guild.add_member("alice")
    wins = guild.create_text_channel("wins")

    async with running_bot(emu, db, clock):
        await mod.run("/config channel", purpose="milestones", channel=wins)
        for _ in range(7):
            await alice.run("/study log", minutes=30)
            clock.advance(timedelta(days=1))
        await wins.wait_for_message(lambda m: "7-day" in m.text)

    async with running_bot(emu, db, clock):
        await alice.run("/study log", minutes=30)
        await alice.run("/study log", minutes=30)
        await emu.settle()
        assert len([m for m in wins.messages if "7-day" in m.text]) == 1
        assert "Current streak: 8 days" in (await alice.run("/streak show")).text
