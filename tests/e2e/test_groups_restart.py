"""A formation preview's button still creates the groups after the bot restarted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot import migrate
from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.emulator import DiscordEmulator, run_client
from tests.e2e.conftest import START


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[DiscordEmulator, Database]]:
    emu = DiscordEmulator()
    await emu.start()
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/restart.db")
    await migrate.upgrade(db.engine)
    yield emu, db
    await emu.stop()
    await db.dispose()


async def test_the_create_button_works_after_a_restart(
    world: tuple[DiscordEmulator, Database],
) -> None:
    emu, db = world
    guild = emu.create_guild("Restart")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member("maya", roles=[mods])
    alice = guild.add_member("alice")
    bob = guild.add_member("bob")
    category = guild.create_category("Study Groups")

    def bot() -> CohortBot:
        return CohortBot(Services.build(db, FrozenClock(START)), guild_ready_timeout=0.05)

    async with run_client(emu, bot()):
        await mod.run("/config category", purpose="study-groups", category=category)
        await mod.run("/config groups", size=2)
        for member in (alice, bob):
            await member.run("/profile set", interests="nlp", timezone="Europe/Berlin")
            await member.run("/group find")
        preview = await mod.run("/group form")
        await preview.wait_final()

    async with run_client(emu, bot()):
        done = await preview.click("Create these groups")
        await done.wait_done()
        assert "Created 1 group" in done.text
        assert guild.role("natural language processing group 1") in alice.roles
