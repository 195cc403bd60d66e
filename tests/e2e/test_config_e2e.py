"""/config and /interests through Discord, as moderators and members meet them."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.emulator import CommandUnavailable, DiscordEmulator, InvalidOptions
from tests.e2e.conftest import Server


async def test_config_show_lists_every_setting_for_a_moderator(server: Server) -> None:
    reply = await server.mod.run("/config show")
    assert reply.ephemeral
    text = reply.text
    for needle in (
        "announcements",
        "mod-log",
        "streak goal",
        "30 min",
        "UTC",
        "event reminders",
        "1 day, 1 h",
        "groups: on",
    ):
        assert needle in text


async def test_config_is_hidden_from_members_by_discord(server: Server) -> None:
    with pytest.raises(CommandUnavailable):
        await server.alice.run("/config show")


async def test_config_is_refused_by_the_bot_when_discord_lets_a_member_through(
    server: Server,
) -> None:
    # A server admin can override default_member_permissions; the bot checks again.
    reply = await server.alice.run("/config streak", goal_minutes=10, enforce_permissions=False)
    assert reply.ephemeral
    assert "Only moderators can do this" in reply.text
    shown = await server.mod.run("/config show")
    assert "30 min" in shown.text


async def test_the_configured_moderator_role_may_configure(server: Server) -> None:
    helpers = server.guild.create_role("Helpers")
    server.bob.add_role(helpers)
    await server.mod.run("/config role", purpose="moderator", role=helpers)
    reply = await server.bob.run("/config streak", goal_minutes=20, enforce_permissions=False)
    assert "20 minutes" in reply.text


async def test_a_change_is_confirmed_and_written_to_the_mod_log(server: Server) -> None:
    await server.mod.run("/config channel", purpose="mod-log", channel=server.mod_log)
    reply = await server.mod.run("/config streak", goal_minutes=45)
    assert reply.ephemeral
    assert "45 minutes" in reply.text
    posted = await server.mod_log.wait_for_message(lambda m: "45 minutes" in m.text)
    assert "maya" in posted.text
    assert not posted.ephemeral


async def test_the_moderator_is_told_which_permission_the_bot_lacks(server: Server) -> None:
    server.guild.set_overwrite(
        server.announcements, server.guild.bot_role, deny=discord.Permissions(send_messages=True)
    )
    reply = await server.mod.run(
        "/config channel", purpose="announcements", channel=server.announcements
    )
    assert "announcements channel is now" in reply.text
    assert "Send Messages" in reply.text


async def test_a_voice_channel_is_refused_where_a_text_channel_is_needed(server: Server) -> None:
    with pytest.raises(InvalidOptions):
        await server.mod.run("/config channel", purpose="milestones", channel=server.study_hall)
    reply = await server.mod.run(
        "/config channel", purpose="milestones", channel=server.study_hall, strict=False
    )
    assert reply.ephemeral
    assert "channel" in reply.text
    assert (
        "not set"
        in (await server.mod.run("/config show")).text.split("milestones")[1].split("\n")[0]
    )


async def test_out_of_range_values_are_refused_by_the_bot_too(server: Server) -> None:
    reply = await server.mod.run("/config streak", goal_minutes=2000, strict=False)
    assert reply.ephemeral
    assert "between 5 and 600" in reply.text
    assert "30 min" in (await server.mod.run("/config show")).text


async def test_timezone_autocomplete_and_did_you_mean(server: Server) -> None:
    choices = await server.mod.autocomplete("/config timezone", "timezone", "Europe/Ber")
    assert choices[0]["value"] == "Europe/Berlin"
    bad = await server.mod.run("/config timezone", timezone="Europe/Berlln")
    assert bad.ephemeral
    assert 'Unknown timezone "Europe/Berlln". Did you mean Europe/Berlin?' in bad.text
    good = await server.mod.run("/config timezone", timezone="europe/berlin")
    assert "Europe/Berlin" in good.text


async def test_reminder_offsets_are_validated(server: Server) -> None:
    bad = await server.mod.run("/config reminders", offsets="tomorrow")
    assert "not a whole number" in bad.text
    good = await server.mod.run("/config reminders", offsets="60,1440,15")
    assert "1 day, 1 h, 15 min" in good.text


async def test_module_and_voice_settings(server: Server) -> None:
    off = await server.mod.run("/config module", module="events", enabled=False)
    assert "events module is now off" in off.text
    voice = await server.mod.run("/config voice", channel=server.study_hall, tracked=True)
    assert "now counts as study time" in voice.text
    shown = (await server.mod.run("/config show")).text
    assert "events: off" in shown
    assert f"<#{server.study_hall.id}>" in shown


async def test_roles_that_cannot_be_used_are_refused(server: Server) -> None:
    everyone = await server.mod.run("/config role", purpose="mentor", role=server.guild.everyone)
    assert "@everyone can't be used" in everyone.text
    managed = await server.mod.run("/config role", purpose="mentor", role=server.guild.bot_role)
    assert "belongs to an integration" in managed.text


async def test_a_role_the_bot_cannot_give_is_saved_with_a_warning(
    server: Server, emulator: DiscordEmulator
) -> None:
    mentors = server.guild.create_role("Mentors")
    assignable = await server.mod.run("/config role", purpose="mentor", role=mentors)
    assert "Manage Roles" not in assignable.text
    without_manage_roles = discord.Permissions(
        view_channel=True, send_messages=True, embed_links=True
    )
    server.guild.set_bot_permissions(without_manage_roles)
    await emulator.settle()
    pings = server.guild.create_role("Event pings")
    reply = await server.mod.run("/config role", purpose="event-ping", role=pings)
    assert "event-ping role is now" in reply.text
    assert "I need Manage Roles" in reply.text


async def test_interests_are_listed_added_and_removed(server: Server) -> None:
    listed = await server.alice.run("/interests")
    assert "natural language processing" in listed.text
    assert "nlp" in listed.text
    added = await server.mod.run("/config interest-add", tag="PyTorch", aliases="torch")
    assert 'Added the interest "pytorch"' in added.text
    twice = await server.mod.run("/config interest-add", tag="pytorch")
    assert "already an interest" in twice.text
    choices = await server.mod.autocomplete("/config interest-remove", "tag", "tor")
    assert [c["value"] for c in choices] == ["pytorch"]
    removed = await server.mod.run("/config interest-remove", tag="pytorch")
    assert "Removed" in removed.text
    assert "pytorch" not in (await server.alice.run("/interests")).text


async def test_bad_interest_names_write_nothing(server: Server) -> None:
    for tag in ("<@123>", "x" * 50 + "y"):
        reply = await server.mod.run("/config interest-add", tag=tag, strict=False)
        assert reply.ephemeral
        assert "interest" in reply.text
    assert "<@123>" not in (await server.alice.run("/interests")).text


async def test_the_same_change_twice_at_once_is_logged_once(
    server: Server, emulator: DiscordEmulator
) -> None:
    await server.mod.run("/config channel", purpose="mod-log", channel=server.mod_log)
    replies = await asyncio.gather(
        server.mod.run("/config interest-add", tag="jax"),
        server.mod.run("/config interest-add", tag="jax"),
    )
    texts = sorted(r.text for r in replies)
    assert any("Added the interest" in t for t in texts)
    assert any("already an interest" in t or "just added" in t for t in texts)
    await emulator.settle()
    assert len([m for m in server.mod_log.messages if "jax" in m.text]) == 1


async def test_role_mentions_in_the_mod_log_ping_nobody(
    server: Server, emulator: DiscordEmulator
) -> None:
    pinged = server.guild.create_role("Mentors", mentionable=True)
    await server.mod.run("/config channel", purpose="mod-log", channel=server.mod_log)
    await server.mod.run("/config role", purpose="mentor", role=pinged)
    posted = await server.mod_log.wait_for_message(lambda m: "mentor role" in m.text)
    assert f"<@&{pinged.id}>" in posted.text
    assert posted.pings.nobody


async def test_categories_are_set_and_a_missing_permission_is_named(
    server: Server, emulator: DiscordEmulator
) -> None:
    ok = await server.mod.run(
        "/config category", purpose="study-groups", category=server.study_category
    )
    assert "New study-groups channels will be created under" in ok.text
    assert "Manage Channels" not in ok.text
    locked = server.guild.create_category("Mentorship")
    server.guild.set_overwrite(
        locked, server.guild.bot_role, deny=discord.Permissions(manage_channels=True)
    )
    await emulator.settle()
    warned = await server.mod.run("/config category", purpose="mentorship", category=locked)
    assert "I'm missing Manage Channels" in warned.text
    with pytest.raises(InvalidOptions):
        await server.mod.run("/config category", purpose="mentorship", category=server.general)


async def test_group_size_and_mentor_response_time(server: Server) -> None:
    size = await server.mod.run("/config groups", size=6)
    assert "aim for 6 members" in size.text
    hours = await server.mod.run("/config mentorship", response_hours=72)
    assert "72 h to answer" in hours.text
    too_big = await server.mod.run("/config groups", size=13, strict=False)
    assert "between 2 and 12" in too_big.text
    too_long = await server.mod.run("/config mentorship", response_hours=0, strict=False)
    assert "between 1 and 336" in too_long.text
    shown = (await server.mod.run("/config show")).text
    assert "group size: 6" in shown.replace("**", "")
    assert "72 h" in shown
