"""Slash commands through the emulator: options, validation, permissions, responses."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest

from bot.emulator import (
    CommandNotFound,
    CommandUnavailable,
    HandlerFailed,
    InvalidOptions,
    NoResponse,
)

if TYPE_CHECKING:
    from tests.emulator.tinybot import Env


async def test_ping(env: Env) -> None:
    reply = await env.alice.run("/ping")
    assert reply.content == "pong"
    assert reply.type == 4
    assert not reply.ephemeral
    # A public response is a real channel message the bot also received over the gateway.
    assert env.guild.general.last_message.content == "pong"
    assert env.bot.get_channel(env.guild.general.id).last_message_id == reply.message.id  # type: ignore[union-attr]


async def test_subcommand_with_every_scalar_option(env: Env) -> None:
    reply = await env.alice.run(
        "/profile set",
        timezone="Europe/Berlin",
        level="beginner",
        hours=12,
        public=True,
        nickname="ally",
    )
    assert reply.content == "alice: Europe/Berlin beginner 12h public=True nick=ally"
    # A choice can be given by the name the member sees.
    reply = await env.alice.run(
        "/profile set", timezone="Asia/Tokyo", level="Advanced", public=False
    )
    assert reply.content.endswith("advanced 5h public=False nick=None")
    assert reply.ephemeral
    assert reply.message not in env.guild.general.messages


async def test_entity_options_are_resolved(env: Env) -> None:
    learners = env.guild.create_role("Readers")
    env.bob.add_role(learners)
    channel = env.guild.create_text_channel("papers")
    reply = await env.alice.run(
        "/inspect", user=env.bob, channel=channel, role=learners, ratio=0.25, who=learners
    )
    assert reply.content == (
        "user=bob roles=['Readers'] channel=papers role=Readers ratio=0.25 who=Readers send=True"
    )
    reply = await env.alice.run(
        "/inspect", user=env.bob, channel=channel, role=learners, who=env.mod
    )
    assert "who=mod" in reply.content


async def test_attachment_option_can_be_downloaded(env: Env) -> None:
    reply = await env.alice.run("/import", file=("notes.csv", b"a,b\n"))
    assert reply.content == "notes.csv 4 bytes a,b\n"


async def test_nested_group_and_default_permissions(env: Env) -> None:
    reply = await env.mod.run("/admin config show")
    assert reply.content == "settings: ok"
    assert reply.ephemeral
    with pytest.raises(CommandUnavailable, match=r"manage_guild"):
        await env.alice.run("/admin config show")
    # With Discord's enforcement off, the bot's own check answers.
    reply = await env.alice.run("/admin config show", enforce_permissions=False)
    assert reply.content.startswith("denied:")
    # The guild owner always passes.
    assert (await env.guild.owner.run("/admin config show")).content == "settings: ok"


async def test_client_side_validation(env: Env) -> None:
    with pytest.raises(CommandNotFound, match="/profile set"):
        await env.alice.run("/profiles")
    with pytest.raises(CommandNotFound, match="needs a subcommand"):
        await env.alice.run("/profile")
    with pytest.raises(InvalidOptions, match="no option 'tz'"):
        await env.alice.run("/profile set", tz="Europe/Berlin", level="beginner")
    with pytest.raises(InvalidOptions, match="requires timezone"):
        await env.alice.run("/profile set", level="beginner")
    with pytest.raises(InvalidOptions, match=r"outside 1\.\.40"):
        await env.alice.run("/profile set", timezone="Europe/Berlin", level="beginner", hours=99)
    with pytest.raises(InvalidOptions, match="not one of the choices"):
        await env.alice.run("/profile set", timezone="Europe/Berlin", level="expert")
    with pytest.raises(InvalidOptions, match="length"):
        await env.alice.run(
            "/profile set", timezone="Europe/Berlin", level="beginner", nickname="x"
        )
    with pytest.raises(InvalidOptions, match="not an integer"):
        await env.alice.run("/profile set", timezone="Europe/Berlin", level="beginner", hours="5")


async def test_strict_false_reaches_the_bot(env: Env) -> None:
    # Autocomplete options accept free text, so the bot validates the timezone itself.
    reply = await env.alice.run("/profile set", timezone="Mars/Olympus", level="beginner")
    assert reply.content == "unknown timezone Mars/Olympus"
    assert reply.ephemeral
    # Out-of-range values only reach the bot with strict=False; discord.py does not re-check ranges.
    reply = await env.alice.run(
        "/profile set", timezone="Europe/Berlin", level="beginner", hours=99, strict=False
    )
    assert "99h" in reply.content


async def test_autocomplete(env: Env) -> None:
    choices = await env.alice.autocomplete("/profile set", "timezone", "europe")
    assert [c["value"] for c in choices] == ["Europe/Berlin", "Europe/Paris"]
    with pytest.raises(InvalidOptions, match="no autocomplete"):
        await env.alice.autocomplete("/profile set", "level", "beg")


async def test_guild_command_and_dm_command(env: Env) -> None:
    assert (await env.alice.run("/local")).content == f"local {env.guild.id}"
    reply = await env.alice.run("/help", in_dm=True)
    assert reply.content == "help in dm for alice"
    assert reply.message is not None
    assert reply.message.channel.is_dm
    # Global commands work in DMs unless guild_only (dm_permission false / contexts without 1).
    assert (await env.alice.run("/ping", in_dm=True)).content == "pong"
    with pytest.raises(CommandUnavailable, match="not available in DMs"):
        await env.alice.run("/signup", in_dm=True)
    with pytest.raises(CommandNotFound):
        await env.alice.run("/local", in_dm=True)


async def test_deferred_then_followup_replaces_loading_message(env: Env) -> None:
    reply = await env.alice.run("/slow")
    assert reply.deferred
    assert reply.message is not None
    assert reply.message.loading
    await reply.wait_final()
    # The first follow-up after a "thinking" defer edits the loading message and keeps
    # the defer's visibility: ephemeral=True on that follow-up is ignored, as on Discord.
    assert reply.content == "done thinking"
    assert not reply.ephemeral
    assert not reply.message.loading
    assert reply.followups == [reply.message]
    reply = await env.alice.run("/slow", ephemeral=True)
    await reply.wait_final()
    assert reply.ephemeral
    assert reply.content == "done thinking"


async def test_edits_followups_and_deletes(env: Env) -> None:
    reply = await env.alice.run("/lifecycle")
    await reply.wait_done()
    assert reply.content == "step 1"
    assert reply.ephemeral
    extra, temporary = reply.followups
    assert extra.content == "extra edited"
    assert extra.ephemeral
    assert extra.edited
    assert temporary.deleted
    assert temporary not in env.guild.general.messages


async def test_files_and_embeds(env: Env) -> None:
    reply = await env.alice.run("/report")
    assert reply.content == "here"
    [attachment] = reply.files
    assert attachment.filename == "report.csv"
    assert attachment.content == b"name,hours\nalice,5\n"
    assert attachment.content_type == "text/csv"
    assert reply.embeds[0]["title"] == "Weekly report"
    assert "rows: 1" in reply.text


async def test_pings_follow_allowed_mentions(env: Env) -> None:
    text = f"hi {env.bob.mention} @everyone"
    quiet = await env.alice.run("/echo", text=text)
    assert quiet.pings is not None
    assert quiet.pings.nobody
    loud = await env.alice.run("/echo", text=text, loud=True)
    assert loud.pings is not None
    assert loud.pings.users == [env.bob.id]
    assert not loud.pings.everyone  # the bot lacks MENTION_EVERYONE


async def test_handler_that_raises_fails_fast(env: Env) -> None:
    started = time.monotonic()
    with pytest.raises(HandlerFailed, match="kaboom"):
        await env.alice.run("/boom")
    assert time.monotonic() - started < 2


async def test_handler_that_never_answers_times_out_readably(env: Env) -> None:
    with pytest.raises(
        NoResponse, match=r"/silent by alice: the bot did not respond within 0.2s \(its handler"
    ):
        await env.alice.run("/silent", timeout=0.2)


async def test_200_concurrent_interactions(env: Env) -> None:
    members = [env.alice, env.bob, env.mod]
    replies = await asyncio.gather(*(members[i % 3].run("/ping") for i in range(200)))
    assert all(r.content == "pong" for r in replies)
    assert len({r.interaction.id for r in replies}) == 200
