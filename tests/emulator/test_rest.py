"""REST side effects: state, client caches, permissions, Discord's errors, injected faults."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
import pytest

from bot.emulator import ChannelType, HandlerFailed

if TYPE_CHECKING:
    from tests.emulator.tinybot import Env


async def test_setup_creates_channels_and_roles_and_caches_follow(env: Env) -> None:
    reply = await env.alice.run("/setup", name="Pandas")
    await reply.wait_final()
    # Discord lower-cases text channel names and turns spaces into dashes.
    assert reply.content == "made Pandas/pandas-chat/Pandas hall role=True"
    guild = env.guild
    role = guild.role("Pandas learners")
    category = guild.channel("Pandas")
    text = guild.channel("pandas-chat")
    assert role in env.alice.roles
    assert text.parent is category
    assert text.type == ChannelType.TEXT
    assert text.topic == "talk"
    # Created without overwrites, the channel was synced with its private category.
    assert text.overwrites.keys() == category.overwrites.keys()
    assert not env.bob.permissions_in(text).view_channel
    assert env.alice.permissions_in(text).view_channel
    # The client's caches were fed by the gateway events the emulator dispatched.
    client_guild = env.bot.get_guild(guild.id)
    assert client_guild is not None
    client_member = client_guild.get_member(env.alice.id)
    assert client_member is not None
    assert role.id in [r.id for r in client_member.roles]
    client_text = client_guild.get_channel(text.id)
    assert isinstance(client_text, discord.TextChannel)
    assert client_text.category_id == category.id
    overwrite = client_guild.get_channel(category.id).overwrites_for(client_guild.default_role)  # type: ignore[union-attr]
    assert overwrite.view_channel is False
    # Positions: new roles land above @everyone, below the bot's role.
    assert role.position < guild.bot_role.position


async def test_test_side_changes_reach_the_client(env: Env) -> None:
    newcomer = env.guild.add_member("newcomer")
    helpers = env.guild.create_role("Helpers")
    newcomer.add_role(helpers)
    lounge = env.guild.create_text_channel("Lounge")
    await env.emu.settle()
    client_guild = env.bot.get_guild(env.guild.id)
    assert client_guild is not None
    member = client_guild.get_member(newcomer.id)
    assert member is not None
    assert [r.name for r in member.roles[1:]] == ["Helpers"]
    assert client_guild.get_channel(lounge.id).name == "lounge"  # type: ignore[union-attr]
    message = await newcomer.send("hello everyone", in_channel=lounge)
    assert env.bot.seen_messages[-1].id == message.id  # type: ignore[attr-defined]
    assert env.bot.seen_messages[-1].content == "hello everyone"  # type: ignore[attr-defined]


async def test_closed_dms_are_forbidden_for_the_bot(env: Env) -> None:
    reply = await env.alice.run("/dm", user=env.carol)
    assert reply.content == "forbidden 50007"
    assert env.carol.dms == []
    assert any(c.status == 403 and c.path.startswith("/channels/") for c in env.emu.calls)


async def test_missing_permissions(env: Env) -> None:
    readonly = env.guild.create_text_channel("rules")
    env.guild.set_overwrite(
        readonly, env.guild.bot_role, deny=discord.Permissions(send_messages=True)
    )
    reply = await env.mod.run("/post", channel=readonly, text="hi")
    assert reply.content == "forbidden 50013"
    hidden = env.guild.create_text_channel("staff")
    env.guild.set_overwrite(hidden, env.guild.everyone, deny=discord.Permissions(view_channel=True))
    env.guild.set_overwrite(hidden, env.mod, allow=discord.Permissions(view_channel=True))
    reply = await env.mod.run("/post", channel=hidden, text="hi")
    assert reply.content == "forbidden 50001"
    assert (await env.mod.run("/post", channel=env.guild.general, text="hi")).content == "posted"


async def test_bot_without_manage_permissions(env: Env) -> None:
    original = env.guild.bot_role.permissions
    env.guild.set_bot_permissions(discord.Permissions(view_channel=True, send_messages=True))
    try:
        reply = await env.alice.run("/setup", name="Nope")
        with pytest.raises(HandlerFailed, match="Missing Permissions"):
            await reply.wait_final()
        reply = await env.alice.run("/session", title="No rights")
        assert reply.content == "failed 403 50013"
    finally:
        env.guild.bot_role.edit(permissions=original)


async def test_role_hierarchy(env: Env) -> None:
    top = env.guild.create_role("Top", position=env.guild.bot_role.position + 1)
    assert top.position > env.guild.bot_role.position
    client_guild = env.bot.get_guild(env.guild.id)
    assert client_guild is not None
    member = client_guild.get_member(env.bob.id)
    assert member is not None
    with pytest.raises(discord.Forbidden) as info:
        await member.add_roles(discord.Object(top.id))
    assert info.value.code == 50013
    assert top not in env.bob.roles


async def test_injected_429_is_retried(env: Env) -> None:
    fault = env.emu.inject_fault(
        "POST", "/interactions/{id}/{token}/callback", status=429, retry_after=0.01
    )
    reply = await env.alice.run("/ping")
    assert reply.content == "pong"
    assert fault.hits == 1
    statuses = [c.status for c in env.emu.calls_to("POST", "/interactions/*")][-2:]
    assert statuses == [429, 200]


async def test_injected_500_is_retried(env: Env) -> None:
    channel = env.bot.get_channel(env.guild.general.id)
    assert isinstance(channel, discord.TextChannel)
    env.emu.inject_fault("POST", "/channels/{id}/messages", status=500)
    started = time.monotonic()
    message = await channel.send("after a 500")
    assert time.monotonic() - started >= 0.9  # discord.py waits 1s before retrying a 5xx
    assert env.guild.general.last_message.id == message.id


async def test_scheduled_events_and_threads(env: Env) -> None:
    reply = await env.alice.run("/session", title="Paper club")
    event = env.guild.event("Paper club")
    assert event.channel is env.guild.channel("Study Hall")
    assert event.entity_type == 2
    assert event.status == 1
    client_guild = env.bot.get_guild(env.guild.id)
    assert client_guild is not None
    client_event = client_guild.get_scheduled_event(event.id)
    assert client_event is not None
    assert client_event.name == "Paper club"
    announcement = await env.guild.general.wait_for_message(
        lambda m: m.content == "New session: Paper club"
    )
    thread = announcement.thread
    assert thread is not None
    assert thread.name == "Paper club chat"
    assert thread.id == announcement.id
    assert f"thread {thread.id}" in reply.content
    assert client_guild.get_thread(thread.id) is not None
    # Editing and ending the event through the client.
    started = await client_event.start()
    ended = await started.end()
    assert event.status == 3
    assert ended.status is discord.EventStatus.ended
    with pytest.raises(discord.HTTPException) as info:
        await ended.edit(name="again")
    assert info.value.status == 400
    await ended.delete()
    await env.emu.settle()
    assert client_guild.get_scheduled_event(event.id) is None
    # Discord refuses events in the past.
    assert (
        await env.alice.run("/session", title="Past", hours_from_now=-1)
    ).content == "failed 400 50035"


async def test_fetches_and_unknown_route(env: Env) -> None:
    client = env.bot
    user = await client.fetch_user(env.alice.id)
    assert user.name == "alice"
    member = await client.get_guild(env.guild.id).fetch_member(env.bob.id)  # type: ignore[union-attr]
    assert member.name == "bob"
    channel = await client.fetch_channel(env.guild.general.id)
    assert channel.name == "general"  # type: ignore[union-attr]
    with pytest.raises(discord.NotFound) as info:
        await client.fetch_user(1)
    assert info.value.code == 10013
    with pytest.raises(discord.NotFound):
        await client.http.request(discord.http.Route("GET", "/nowhere/{x}", x=1))
    assert env.emu.unknown_routes == ["GET /nowhere/1"]
    with pytest.raises(AssertionError, match="GET /nowhere/1"):
        env.emu.assert_no_unknown_routes()
    env.emu.unknown_routes.clear()


async def test_voice_reactions_threads_and_mentions(env: Env) -> None:
    client_guild = env.bot.get_guild(env.guild.id)
    assert client_guild is not None
    hall = env.guild.channel("Study Hall")
    env.alice.join_voice(hall)
    await env.emu.settle()
    voice = client_guild.get_member(env.alice.id).voice  # type: ignore[union-attr]
    assert voice is not None
    assert voice.channel.id == hall.id  # type: ignore[union-attr]
    env.alice.join_voice(None)
    await env.emu.settle()
    assert client_guild.get_member(env.alice.id).voice is None  # type: ignore[union-attr]

    message = await env.bob.send(f"hey {env.emu.bot_user.mention}")
    seen = env.bot.seen_messages[-1]  # type: ignore[attr-defined]
    assert env.bot.user is not None
    assert env.bot.user.mentioned_in(seen)
    channel = client_guild.get_channel(env.guild.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.get_partial_message(message.id).add_reaction("✅")
    await message.react("👍", by=env.alice)
    assert message.reactions == {"✅": [env.emu.bot_user.id], "👍": [env.alice.id]}
    assert env.bot.seen_reactions[-2:] == [  # type: ignore[attr-defined]
        (env.emu.bot_user.id, "✅"),
        (env.alice.id, "👍"),
    ]

    thread = await channel.create_thread(
        name="Study buddies", type=discord.ChannelType.private_thread
    )
    await thread.add_user(discord.Object(env.bob.id))
    emulated = env.guild.channel(thread.id)
    assert {m.name for m in emulated.thread_members} == {"Cohort", "bob"}
    await thread.edit(archived=True)
    assert emulated.archived
    # discord.py drops a thread from its cache when THREAD_UPDATE says it was archived.
    assert client_guild.get_thread(thread.id) is None
