"""A Discord emulator on loopback for end-to-end tests of a discord.py bot.

Start a :class:`DiscordEmulator`, build a guild with members, channels and
roles, run the bot against it with :func:`run_client`, then act as members::

    emu = DiscordEmulator()
    await emu.start()
    guild = emu.create_guild("ML Learners")
    alice = guild.add_member("alice")
    async with run_client(emu, bot):
        reply = await alice.run("/ping")
        assert reply.content == "pong"

The package is standalone: it imports discord.py and aiohttp, nothing else
from the bot.
"""

from .errors import (
    ClientCrashed,
    CommandNotFound,
    CommandUnavailable,
    EmulatorError,
    HandlerFailed,
    InvalidOptions,
    NoResponse,
)
from .gateway import Intent
from .members import Guild, Member
from .messages import Attachment, Message, Pings, ScheduledEvent
from .replies import InteractionRecord, Reply
from .rest import Call
from .server import DiscordEmulator
from .state import Channel, ChannelType, Role, User
from .testing import ClientProbe, NonLoopbackLookup, loopback_only, run_client

__all__ = [
    "Attachment",
    "Call",
    "Channel",
    "ChannelType",
    "ClientCrashed",
    "ClientProbe",
    "CommandNotFound",
    "CommandUnavailable",
    "DiscordEmulator",
    "EmulatorError",
    "Guild",
    "HandlerFailed",
    "Intent",
    "InteractionRecord",
    "InvalidOptions",
    "Member",
    "Message",
    "NoResponse",
    "NonLoopbackLookup",
    "Pings",
    "Reply",
    "Role",
    "ScheduledEvent",
    "User",
    "loopback_only",
    "run_client",
]
