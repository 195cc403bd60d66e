"""The model without a bot: permissions, names, clock, fault patterns, sync validation."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.emulator import ChannelType, DiscordEmulator
from bot.emulator.rest import ApiError, fault_pattern

FROZEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_permission_overwrites_follow_discords_order() -> None:
    emu = DiscordEmulator()
    guild = emu.create_guild("Perms")
    helpers = guild.create_role("Helpers")
    alice = guild.add_member("alice", roles=[helpers])
    bob = guild.add_member("bob")
    room = guild.create_text_channel("room")
    guild.set_overwrite(room, guild.everyone, deny=discord.Permissions(view_channel=True))
    guild.set_overwrite(room, helpers, allow=discord.Permissions(view_channel=True))
    assert room.permissions_for(alice).view_channel
    assert not room.permissions_for(bob).view_channel
    # No view means no permissions at all in the channel.
    assert room.permissions_for(bob).value == 0
    # A member overwrite beats role overwrites.
    guild.set_overwrite(room, alice, deny=discord.Permissions(send_messages=True))
    perms = room.permissions_for(alice)
    assert perms.view_channel
    assert not perms.send_messages
    assert not perms.attach_files  # implicitly lost without send_messages
    # Owner and administrators get everything.
    assert room.permissions_for(guild.owner) == discord.Permissions.all()
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    bob.add_role(admins)
    assert room.permissions_for(bob) == discord.Permissions.all()


def test_text_channel_names_and_role_positions() -> None:
    emu = DiscordEmulator()
    guild = emu.create_guild("Names")
    assert guild.create_text_channel("Study Hall").name == "study-hall"
    assert guild.create_voice_channel("Study Hall").name == "Study Hall"
    assert guild.create_category("Study").type == ChannelType.CATEGORY
    first = guild.create_role("First")
    second = guild.create_role("Second")
    # New roles land just above @everyone; the bot's role stays on top.
    assert [r.name for r in guild.roles] == ["@everyone", "Second", "First", "Cohort"]
    assert second.position == 1
    assert first.position == 2


def test_the_clock_drives_timestamps_and_ids() -> None:
    emu = DiscordEmulator(now=lambda: FROZEN)
    guild = emu.create_guild("Clock")
    message = emu.world.post_message(guild.general, guild.owner.user, content="hi")
    assert message.timestamp == FROZEN
    assert discord.utils.snowflake_time(message.id) == FROZEN
    assert guild.owner.joined_at == FROZEN
    assert len({emu.world.snowflake() for _ in range(1000)}) == 1000


def test_fault_patterns() -> None:
    pattern = fault_pattern("/channels/{id}/messages")
    assert pattern.fullmatch("/channels/123/messages")
    assert not pattern.fullmatch("/channels/123/messages/456")
    assert fault_pattern("/interactions/*").fullmatch("/interactions/1/token/callback")


def test_command_sync_is_validated_like_discord() -> None:
    emu = DiscordEmulator()
    good = {"name": "ping", "description": "Ping", "type": 1, "options": []}
    [stored] = emu.commands.overwrite(None, [good])
    [again] = emu.commands.overwrite(None, [good])
    assert stored["id"] == again["id"]  # ids survive re-syncs
    bad_order = {
        "name": "set",
        "description": "Set",
        "options": [
            {"type": 3, "name": "a", "description": "a"},
            {"type": 3, "name": "b", "description": "b", "required": True},
        ],
    }
    with pytest.raises(ApiError) as info:
        emu.commands.overwrite(None, [bad_order])
    assert info.value.code == 50035
    assert info.value.errors is not None
    assert "required" in info.value.errors["0"]["options"]["1"]
    with pytest.raises(ApiError):
        emu.commands.overwrite(None, [{"name": "Bad Name", "description": "x"}])
