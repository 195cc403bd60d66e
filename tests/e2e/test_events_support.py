"""Shared set-up for the /event end-to-end modules (this module holds no tests).

Event tests need Discord's clock to agree with the bot's: a scheduled event dated by the
FrozenClock must not be "in the past" for the emulator. So these modules run their own
emulator, told the frozen time, and their own bot and database, instead of the session-wide
ones; :func:`start_bot` can start a second bot on the same database and emulator, which is
how a restart looks from outside.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import discord

from bot import migrate
from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.emulator import DiscordEmulator, Member, Message, run_client
from cogs.events import EventsCog
from tests.e2e.conftest import Server

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_names = itertools.count(1)


@dataclass
class EventsWorld:
    emu: DiscordEmulator
    clock: FrozenClock
    database_url: str


@asynccontextmanager
async def events_world(directory: Path) -> AsyncIterator[EventsWorld]:
    """An emulator on the frozen clock and a migrated database; no bot yet."""
    clock = FrozenClock(START)
    url = f"sqlite+aiosqlite:///{directory / 'events.db'}"
    db = Database(url)
    await migrate.upgrade(db.engine)
    await db.dispose()
    emu = DiscordEmulator(now=clock.now)
    await emu.start()
    try:
        yield EventsWorld(emu, clock, url)
    finally:
        await emu.stop()


@asynccontextmanager
async def start_bot(world: EventsWorld) -> AsyncIterator[CohortBot]:
    """A bot process: its own engine over the world's database, connected to its emulator."""
    db = Database(world.database_url)
    bot = CohortBot(Services.build(db, world.clock), guild_ready_timeout=0.05)
    try:
        async with run_client(world.emu, bot):
            yield bot
    finally:
        await db.dispose()


def events_cog(bot: CohortBot) -> EventsCog:
    return cast(EventsCog, bot.get_cog("EventsCog"))


async def new_server(world: EventsWorld, *, announcements: bool = True) -> Server:
    """A fresh demo server; with its announcements and mod-log channels configured."""
    world.clock.set(START)
    guild = world.emu.create_guild(f"ML Events {next(_names)}")
    mods = guild.create_role("Moderators", permissions=discord.Permissions(manage_guild=True))
    server = Server(
        guild=guild,
        mods=mods,
        mod=guild.add_member("maya", roles=[mods]),
        alice=guild.add_member("alice"),
        bob=guild.add_member("bob"),
        carol=guild.add_member("carol", dms_open=False),
        general=guild.general,
        announcements=guild.create_text_channel("announcements"),
        mod_log=guild.create_text_channel("mod-log"),
        study_category=guild.create_category("Study Groups"),
        study_hall=guild.create_voice_channel("Study Hall"),
    )
    await world.emu.settle()
    if announcements:
        await server.mod.run(
            "/config channel", purpose="announcements", channel=server.announcements
        )
        await server.mod.run("/config channel", purpose="mod-log", channel=server.mod_log)
    return server


async def create_event(server: Server, **options: object) -> Message:
    """Run /event create as the moderator and return the announcement it posted."""
    fields: dict[str, object] = {
        "kind": "meetup",
        "title": "Paper club",
        "start": "2026-03-05 18:00",
    }
    fields.update(options)
    before = len(server.announcements.messages)
    reply = await (await server.mod.run("/event create", **fields)).wait_final()
    assert "Announced" in reply.text, reply.text
    assert len(server.announcements.messages) == before + 1
    return server.announcements.messages[-1]


async def rsvp(post: Message, label: str, member: Member) -> str:
    """Click an RSVP button as ``member``; returns the private note the bot answered with."""
    reply = await (await post.click(label, by=member)).wait_done()
    [note] = reply.followups
    assert note.ephemeral
    return note.text


def embed_field(message: Message, name: str) -> str:
    """The value of the embed field called ``name`` (what a member reads on the post)."""
    for embed in message.embeds:
        for field in embed.get("fields") or []:
            if field["name"] == name:
                return str(field["value"])
    raise AssertionError(f"the message has no field {name!r}: {message.text}")
