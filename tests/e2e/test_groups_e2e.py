"""/group as members and moderators use it: real roles and channels, seats, formation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import discord
import pytest

from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.emulator import DiscordEmulator, Member, Reply
from cogs.groups import GroupsCog
from tests.e2e.conftest import Server


async def _final(reply: Reply) -> Reply:
    if reply.deferred:
        await reply.wait_final()
    return reply


async def _setup(server: Server) -> None:
    await server.mod.run("/config category", purpose="study-groups", category=server.study_category)


async def _create(
    server: Server, who: Member, name: str = "Transformers Club", **kw: object
) -> Reply:
    kw.setdefault("topic", "nlp")
    return await _final(await who.run("/group create", name=name, **kw))


async def test_group_create_makes_a_role_and_a_private_channel(server: Server) -> None:
    await _setup(server)
    reply = await _create(server, server.alice, capacity=5)
    assert reply.ephemeral
    assert "Created **Transformers Club**" in reply.text
    role = server.guild.role("Transformers Club")
    channel = server.guild.channel("transformers-club")
    assert channel.parent is server.study_category
    assert role in server.alice.roles
    assert channel.permissions_for(server.alice).view_channel
    assert not channel.permissions_for(server.bob).view_channel
    welcome = await channel.wait_for_message(lambda m: "starts here" in m.text)
    assert welcome.pings.nobody is False


async def test_join_and_leave_give_and_take_the_role(server: Server) -> None:
    await _setup(server)
    await _create(server, server.alice)
    channel = server.guild.channel("transformers-club")
    joined = await server.bob.run("/group join", group="transformers club")
    assert "You joined **Transformers Club** (2/4)" in joined.text
    assert server.guild.role("Transformers Club") in server.bob.roles
    assert channel.permissions_for(server.bob).send_messages
    await channel.wait_for_message(lambda m: "joined **Transformers Club**" in m.text)
    left = await server.bob.run("/group leave", group="Transformers Club")
    assert "You left **Transformers Club**" in left.text
    assert server.guild.role("Transformers Club") not in server.bob.roles
    assert not channel.permissions_for(server.bob).view_channel


async def test_a_full_group_refuses_and_joining_twice_or_leaving_twice_is_explained(
    server: Server,
) -> None:
    await _setup(server)
    await _create(server, server.alice, capacity=2)
    await server.bob.run("/group join", group="Transformers Club")
    full = await server.carol.run("/group join", group="Transformers Club")
    assert full.ephemeral
    assert "is full (2/2)" in full.text
    again = await server.bob.run("/group join", group="Transformers Club")
    assert "already in" in again.text
    not_in = await server.carol.run("/group leave", group="Transformers Club")
    assert "You are not in" in not_in.text
    assert server.guild.role("Transformers Club") not in server.carol.roles


async def test_twenty_members_joining_a_five_seat_group_at_once_leave_five(
    server: Server, emulator: DiscordEmulator
) -> None:
    await _setup(server)
    await _create(server, server.alice, capacity=5)
    crowd = [server.guild.add_member(f"learner{i}") for i in range(20)]
    await emulator.settle()
    replies = await asyncio.gather(
        *(m.run("/group join", group="Transformers Club") for m in crowd)
    )
    assert sum("You joined" in r.text for r in replies) == 4  # alice holds the fifth seat
    assert sum("is full" in r.text for r in replies) == 16
    role = server.guild.role("Transformers Club")
    assert sum(role in m.roles for m in [server.alice, *crowd]) == 5
    info = await server.bob.run("/group info", group="Transformers Club")
    assert "5/5" in info.text


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"name": "ab"}, "too short"),
        ({"name": "x" * 51}, "the limit is 50"),
        ({"name": "Club <@&1> fans"}, "can't contain mentions"),
        ({"name": "Study @here"}, "can't contain mentions"),
        ({"topic": "nlpp"}, "Did you mean nlp"),
        ({"capacity": 30}, "between 2 and 25"),
    ],
)
async def test_group_create_refuses_bad_input_and_makes_nothing(
    server: Server, options: dict[str, object], says: str
) -> None:
    await _setup(server)
    roles_before = len(server.guild.roles)
    channels_before = len(server.guild.channels)
    kw: dict[str, object] = {"name": "Good Name", "topic": "nlp", **options}
    reply = await server.alice.run("/group create", strict=False, **kw)
    assert reply.ephemeral
    assert says in reply.text
    assert len(server.guild.roles) == roles_before
    assert len(server.guild.channels) == channels_before
    assert reply.message is not None
    assert reply.message.pings.nobody


async def test_a_duplicate_name_is_refused_whatever_its_case(server: Server) -> None:
    await _setup(server)
    await _create(server, server.alice)
    reply = await server.bob.run("/group create", name="TRANSFORMERS club", topic="nlp")
    assert "already has a group named" in reply.text
    assert [r.name for r in server.guild.roles].count("Transformers Club") == 1


async def test_missing_manage_roles_is_reported_and_nothing_is_made(server: Server) -> None:
    await _setup(server)
    roles_before = len(server.guild.roles)
    channels_before = len(server.guild.channels)
    server.guild.set_bot_permissions(
        discord.Permissions(view_channel=True, send_messages=True, manage_channels=True)
    )
    reply = await _create(server, server.alice)
    assert "I'm missing the Manage Roles permission" in reply.text
    assert len(server.guild.roles) == roles_before
    assert len(server.guild.channels) == channels_before
    listed = await server.alice.run("/group list")
    assert "No open groups yet" in listed.text


async def test_a_channel_refused_after_the_role_was_made_takes_the_role_back(
    server: Server, emulator: DiscordEmulator
) -> None:
    await _setup(server)
    roles_before = len(server.guild.roles)
    emulator.inject_fault("POST", "/guilds/{id}/channels", status=403)
    reply = await _create(server, server.alice)
    assert "Manage Channels" in reply.text
    assert len(server.guild.roles) == roles_before
    listed = await server.alice.run("/group list")
    assert "No open groups yet" in listed.text


async def test_group_list_and_info_show_topic_seats_and_time_zones(server: Server) -> None:
    await _setup(server)
    await server.alice.run("/profile set", timezone="Asia/Tokyo")
    await _create(server, server.alice, capacity=3)
    await _create(server, server.bob, "Pixel Pushers", topic="cv")
    listed = await server.carol.run("/group list")
    assert "Transformers Club" in listed.text
    assert "1/3" in listed.text
    assert "Asia/Tokyo" in listed.text
    only_cv = await server.carol.run("/group list", topic="computer vision")
    assert "Pixel Pushers" in only_cv.text
    assert "Transformers Club" not in only_cv.text
    info = await server.carol.run("/group info", group="Pixel Pushers")
    assert "computer vision" in info.text
    assert "created by a member" in info.text
    choices = await server.carol.autocomplete("/group join", "group", "pix")
    assert [c["value"] for c in choices] == ["Pixel Pushers"]
    topics = await server.carol.autocomplete("/group create", "topic", "comp")
    assert topics[0]["value"] == "computer vision"


async def test_group_find_without_a_profile_says_how_to_set_one(server: Server) -> None:
    reply = await server.alice.run("/group find")
    assert reply.ephemeral
    assert "/profile set interests:" in reply.text
    await server.alice.run("/profile set", interests="nlp")
    joined = await server.alice.run("/group find")
    assert "You're in the pool (1 waiting)" in joined.text


async def _pool(server: Server, people: dict[Member, str]) -> None:
    for member, interests in people.items():
        await member.run("/profile set", interests=interests, timezone="Europe/Berlin")
        await member.run("/group find")


async def test_formation_previews_with_reasons_then_creates_groups_and_tells_members(
    server: Server,
) -> None:
    await _setup(server)
    await server.mod.run("/config groups", size=2)
    await _pool(
        server,
        {
            server.alice: "nlp, python",
            server.bob: "nlp, python",
            server.carol: "cv",
            server.mod: "cv",
        },
    )
    preview = await _final(await server.mod.run("/group form"))
    assert preview.ephemeral
    assert "Proposed study groups (2)" in preview.text
    assert "all 2 study natural language processing" in preview.text
    assert not any(r.name.endswith("group 1") for r in server.guild.roles)  # nothing yet

    done = await preview.click("Create these groups")
    await done.wait_done()
    summary = done.followups[-1]
    assert summary.ephemeral
    assert "Created 2 groups" in summary.text
    nlp = server.guild.role("natural language processing group 1")
    assert nlp in server.alice.roles
    assert nlp in server.bob.roles
    assert nlp not in server.carol.roles
    dm = await server.alice.wait_for_dm(lambda m: "natural language processing group 1" in m.text)
    assert "Why you fit" in dm.text
    channel = server.guild.channel("natural-language-processing-group-1")
    await channel.wait_for_message(lambda m: "You were grouped because" in m.text)
    # carol's DMs are closed: she still got her role and the channel welcome.
    cv_channel = server.guild.channel("computer-vision-group-1")
    assert cv_channel.permissions_for(server.carol).view_channel
    assert not server.carol.dms
    assert preview.message is not None
    assert preview.message.buttons == []  # created once; the button is gone
    empty = await _final(await server.mod.run("/group form"))
    assert "The pool has 0 members" in empty.text


async def test_only_moderators_form_groups(server: Server) -> None:
    reply = await server.alice.run("/group form", enforce_permissions=False)
    assert "Only moderators can do this" in reply.text


async def test_archive_locks_the_channel_and_deletes_the_role(server: Server) -> None:
    await _setup(server)
    await _create(server, server.alice)
    await server.bob.run("/group join", group="Transformers Club")
    refused = await server.bob.run("/group archive", group="Transformers Club")
    assert "Only moderators or the member who created" in refused.text
    done = await _final(await server.alice.run("/group archive", group="Transformers Club"))
    assert "Archived **Transformers Club**" in done.text
    assert not any(r.name == "Transformers Club" for r in server.guild.roles)
    channel = server.guild.channel("archived-transformers-club")
    assert channel.permissions_for(server.bob).view_channel
    assert not channel.permissions_for(server.bob).send_messages
    assert not channel.permissions_for(server.carol).view_channel
    late = await server.carol.run("/group join", group="Transformers Club")
    assert "has been archived" in late.text


async def test_privacy_delete_takes_group_roles_away(server: Server) -> None:
    await _setup(server)
    await _create(server, server.alice)
    await server.bob.run("/group join", group="Transformers Club")
    ask = await server.bob.run("/privacy delete")
    erased = await ask.click("Erase my data")
    assert "Done" in erased.text
    assert server.guild.role("Transformers Club") not in server.bob.roles
    info = await server.alice.run("/group info", group="Transformers Club")
    assert "1/4" in info.text


async def test_groups_module_off_is_explained(server: Server) -> None:
    await server.mod.run("/config module", module="groups", enabled=False)
    reply = await server.alice.run("/group list")
    assert "Study groups are turned off" in reply.text


async def test_weekly_formation_creates_groups_and_tells_the_mod_log(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock
) -> None:
    await _setup(server)
    await server.mod.run("/config channel", purpose="mod-log", channel=server.mod_log)
    reply = await server.mod.run("/config groups", size=2, schedule="weekly")
    assert "every week" in reply.text
    await _pool(server, {server.alice: "nlp", server.bob: "nlp"})
    cog = cohort.get_cog("GroupsCog")
    assert isinstance(cog, GroupsCog)
    await cog.form_on_schedule()
    assert not any(r.name.endswith("group 1") for r in server.guild.roles)  # not due yet
    e2e_clock.advance(timedelta(days=7))
    await cog.form_on_schedule()
    role = server.guild.role("natural language processing group 1")
    assert role in server.alice.roles
    assert role in server.bob.roles
    await server.mod_log.wait_for_message(lambda m: "Weekly study-group formation" in m.text)
    await server.alice.wait_for_dm(lambda m: "Why you fit" in m.text)


async def test_archive_without_manage_channels_is_reported_and_the_group_keeps_working(
    server: Server,
) -> None:
    await _setup(server)
    await _create(server, server.alice)
    server.guild.set_bot_permissions(
        discord.Permissions(view_channel=True, send_messages=True, manage_roles=True)
    )
    reply = await _final(await server.mod.run("/group archive", group="Transformers Club"))
    assert "I'm missing the Manage Channels permission" in reply.text
    assert server.guild.role("Transformers Club") in server.alice.roles
    assert server.guild.channel("transformers-club").permissions_for(server.alice).send_messages
    joined = await server.bob.run("/group join", group="Transformers Club")
    assert "You joined" in joined.text


async def test_a_join_the_bot_cannot_grant_gives_the_seat_back(server: Server) -> None:
    await _setup(server)
    await _create(server, server.alice, capacity=2)
    server.guild.set_bot_permissions(
        discord.Permissions(view_channel=True, send_messages=True, manage_channels=True)
    )
    reply = await server.bob.run("/group join", group="Transformers Club")
    assert "I'm missing the Manage Roles permission" in reply.text
    info = await server.bob.run("/group info", group="Transformers Club")
    assert "1/2" in info.text


async def test_the_create_button_checks_the_clicker_is_still_a_moderator(
    server: Server, emulator: DiscordEmulator
) -> None:
    await _setup(server)
    await server.mod.run("/config groups", size=2)
    await _pool(server, {server.alice: "nlp", server.bob: "nlp"})
    preview = await _final(await server.mod.run("/group form"))
    server.mod.remove_role(server.mods)
    await emulator.settle()
    pressed = await preview.click("Create these groups")
    assert "Only moderators can create" in pressed.text
    assert not any(r.name.endswith("group 1") for r in server.guild.roles)


async def test_form_without_preview_creates_at_once(server: Server) -> None:
    await _setup(server)
    await server.mod.run("/config groups", size=2)
    await _pool(server, {server.alice: "nlp", server.bob: "nlp"})
    reply = await _final(await server.mod.run("/group form", preview=False))
    assert "Created 1 group" in reply.text
    assert server.guild.role("natural language processing group 1") in server.bob.roles


async def test_a_name_of_only_symbols_is_refused(server: Server) -> None:
    await _setup(server)
    reply = await server.alice.run("/group create", name="!!!", topic="nlp")
    assert "at least one letter or digit" in reply.text


async def test_an_archive_whose_role_cannot_be_deleted_puts_the_channel_back(
    server: Server, emulator: DiscordEmulator
) -> None:
    await _setup(server)
    await _create(server, server.alice)
    emulator.inject_fault("DELETE", "/guilds/{id}/roles/{id}", status=403)
    reply = await _final(await server.mod.run("/group archive", group="Transformers Club"))
    assert "Manage Roles" in reply.text
    channel = server.guild.channel("transformers-club")
    assert channel.permissions_for(server.alice).send_messages
    info = await server.bob.run("/group info", group="Transformers Club")
    assert "Transformers Club" in info.text


async def test_formation_that_discord_stops_keeps_the_members_in_the_pool(
    server: Server, emulator: DiscordEmulator
) -> None:
    await _setup(server)
    await server.mod.run("/config groups", size=2)
    await _pool(
        server,
        {server.alice: "nlp", server.bob: "nlp", server.carol: "cv", server.mod: "cv"},
    )
    preview = await _final(await server.mod.run("/group form"))
    # Discord refuses the role (say the server hit its limit of 250 roles).
    emulator.inject_fault("POST", "/guilds/{id}/roles", status=400, times=1)
    done = await preview.click("Create these groups")
    await done.wait_done()
    summary = done.followups[-1].text
    assert "No groups were created" in summary
    assert "Discord refused to make more groups" in summary
    assert "2 were not created" in summary
    again = await _final(await server.mod.run("/group form"))
    assert "Proposed study groups (2)" in again.text
