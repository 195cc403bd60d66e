"""End-to-end fixtures: the real CohortBot, wired as in production, against the emulator.

One emulator and one bot serve the whole run (a login, a gateway handshake and a command
sync cost time); every test gets a fresh guild, so it sees fresh rows and fresh channels.
Anything unexpected the bot logs while handling a test's interactions fails that test with
the logged error, so a broken handler cannot hide behind the polite message members see.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import discord
import pytest

from bot import migrate
from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.emulator import Channel, DiscordEmulator, Guild, Member, Role, run_client

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_names = itertools.count(1)


@dataclass
class Server:
    """A demo server: a moderator, three members, the usual channels."""

    guild: Guild
    mods: Role
    mod: Member
    alice: Member
    bob: Member
    carol: Member
    general: Channel
    announcements: Channel
    mod_log: Channel
    study_category: Channel
    study_hall: Channel


@pytest.fixture(scope="session")
async def emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture(scope="session")
def e2e_clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture(scope="session")
async def e2e_services(
    tmp_path_factory: pytest.TempPathFactory, e2e_clock: FrozenClock
) -> AsyncIterator[Services]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('e2e') / 'cohort.db'}")
    await migrate.upgrade(db.engine)
    yield Services.build(db, e2e_clock)
    await db.dispose()


@pytest.fixture(scope="session")
async def cohort(emulator: DiscordEmulator, e2e_services: Services) -> AsyncIterator[CohortBot]:
    bot = CohortBot(e2e_services, guild_ready_timeout=0.05)
    async with run_client(emulator, bot):
        yield bot


class _Unexpected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def describe_unexpected(records: list[logging.LogRecord]) -> str:
    """A readable account of what went wrong inside the bot, for a failing test."""
    lines = []
    for record in records:
        lines.append(f"{record.name}: {record.getMessage()}")
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            lines.append(f"    {type(error).__name__}: {error}")
    return "the bot hit unexpected errors:\n" + "\n".join(lines)


@pytest.fixture
def unexpected_errors() -> Iterator[list[logging.LogRecord]]:
    """Errors the bot logged during the test; a test that expects one clears the list."""
    handler = _Unexpected()
    watched = [logging.getLogger(n) for n in ("cogs", "bot", "discord")]
    for logger in watched:
        logger.addHandler(handler)
    yield handler.records
    for logger in watched:
        logger.removeHandler(handler)
    if handler.records:
        pytest.fail(describe_unexpected(handler.records), pytrace=False)


@pytest.fixture
async def server(
    emulator: DiscordEmulator,
    cohort: CohortBot,
    e2e_clock: FrozenClock,
    unexpected_errors: list[logging.LogRecord],
) -> AsyncIterator[Server]:
    e2e_clock.set(START)
    guild = emulator.create_guild(f"ML Learners {next(_names)}")
    mods = guild.create_role("Moderators", permissions=discord.Permissions(manage_guild=True))
    category = guild.create_category("Study Groups")
    srv = Server(
        guild=guild,
        mods=mods,
        mod=guild.add_member("maya", roles=[mods]),
        alice=guild.add_member("alice"),
        bob=guild.add_member("bob"),
        carol=guild.add_member("carol", dms_open=False),
        general=guild.general,
        announcements=guild.create_text_channel("announcements"),
        mod_log=guild.create_text_channel("mod-log"),
        study_category=category,
        study_hall=guild.create_voice_channel("Study Hall"),
    )
    await emulator.settle()
    yield srv
    emulator.assert_no_unknown_routes()
