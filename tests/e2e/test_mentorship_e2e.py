"""/mentor as mentors, mentees and moderators meet it, through the emulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.emulator import Channel, DiscordEmulator, InvalidOptions, Member, Message
from cogs.mentor import MentorCog
from tests.e2e.conftest import Server


def mentor_cog(bot: CohortBot) -> MentorCog:
    cog = bot.get_cog("MentorCog")
    assert isinstance(cog, MentorCog)
    return cog


def pair_channel(server: Server, prefix: str = "mentor-") -> Channel:
    [channel] = [c for c in server.guild.channels if c.name.startswith(prefix)]
    return channel


async def offer_dm(member: Member) -> Message:
    return await member.wait_for_dm(lambda m: "Accept" in m.buttons)


async def test_opting_in_makes_a_mentor_with_the_mentor_role(server: Server) -> None:
    mentors = server.guild.create_role("Mentors")
    await server.mod.run("/config role", purpose="mentor", role=mentors)
    reply = await (
        await server.bob.run("/mentor optin", interests="nlp, python", capacity=2, bio="PhD")
    ).wait_final()
    assert reply.ephemeral
    assert "You're now a mentor: natural language processing, python; up to 2" in reply.text
    assert mentors in server.bob.roles
    listed = await server.alice.run("/mentor list", interest="nlp")
    assert "2/2 free — PhD" in listed.text
    again = await (await server.bob.run("/mentor optin", interests="nlp", capacity=3)).wait_final()
    assert "Your mentor offer is updated" in again.text
    out = await server.bob.run("/mentor optout")
    await out.wait_final()
    assert "no longer a mentor" in out.text
    assert mentors not in server.bob.roles


async def test_a_request_is_offered_and_accept_creates_a_private_channel(server: Server) -> None:
    category = server.guild.create_category("Mentorship")
    await server.mod.run("/config category", purpose="mentorship", category=category)
    await server.bob.run("/mentor optin", interests="nlp, python", capacity=2)
    asked = await (
        await server.alice.run("/mentor request", interests="nlp", goal="read a paper a week")
    ).wait_final()
    assert asked.ephemeral
    assert f"I've asked {server.bob.mention}: matched on natural language processing" in asked.text
    dm = await offer_dm(server.bob)
    assert server.alice.mention in dm.text
    assert "read a paper a week" in dm.text
    assert dm.buttons == ["Accept", "Decline"]

    await dm.click("Accept")
    told = await server.alice.wait_for_dm(lambda m: "accepted your mentor request" in m.text)
    channel = pair_channel(server)
    assert channel.parent is category
    assert f"<#{channel.id}>" in told.text
    for member in (server.alice, server.bob, server.guild.bot):
        assert channel.permissions_for(member).view_channel
        assert channel.permissions_for(member).send_messages
    assert not channel.permissions_for(server.carol).view_channel
    welcome = await channel.wait_for_message(lambda m: "Welcome" in m.text)
    assert set(welcome.pings.users) == {server.alice.id, server.bob.id}
    status = await server.alice.run("/mentor status")
    assert f"Your mentors: {server.bob.mention}" in status.text


async def test_decline_moves_the_request_to_the_next_mentor(server: Server) -> None:
    dan = server.guild.add_member("dan")
    await server.bob.run("/mentor optin", interests="nlp, python", capacity=1)
    await dan.run("/mentor optin", interests="nlp", capacity=1)
    await server.alice.run("/mentor request", interests="nlp, python")
    declined = await (await offer_dm(server.bob)).click("Decline")
    assert "You declined" in declined.text
    await offer_dm(dan)
    moved = await server.alice.wait_for_dm(lambda m: "couldn't take it" in m.text)
    assert dan.mention in moved.text


async def test_nobody_fitting_is_told_and_the_request_waits(server: Server) -> None:
    await server.bob.run("/mentor optin", interests="computer vision", capacity=1)
    asked = await (await server.alice.run("/mentor request", interests="nlp")).wait_final()
    assert "no available mentor fits it right now, so it waits" in asked.text
    status = await server.alice.run("/mentor status")
    assert "waiting: no available mentor fits yet" in status.text
    assert server.bob.dms == []


async def test_an_unanswered_offer_moves_on_when_the_response_time_passes(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock
) -> None:
    dan = server.guild.add_member("dan")
    await server.mod.run("/config mentorship", response_hours=2)
    await server.bob.run("/mentor optin", interests="nlp, python", capacity=1)
    await dan.run("/mentor optin", interests="nlp", capacity=1)
    await server.alice.run("/mentor request", interests="nlp, python")
    stale = await offer_dm(server.bob)
    e2e_clock.advance(timedelta(hours=3))
    late = await stale.click("Accept")  # before the sweep has moved it: still refused
    assert late.ephemeral
    assert "timed out" in late.text
    await mentor_cog(cohort).expire_offers()
    await offer_dm(dan)
    await server.alice.wait_for_dm(lambda m: "didn't answer in time" in m.text)
    assert "timed out and went to another mentor" in stale.text
    assert stale.buttons == []  # the stale offer can't be pressed any more
    assert [c for c in server.guild.channels if c.name.startswith("mentor-")] == []


async def test_closed_dms_put_the_offer_in_the_log_channel_with_only_the_mentor_pinged(
    server: Server,
) -> None:
    await server.mod.run("/config channel", purpose="mod-log", channel=server.mod_log)
    await server.carol.run("/mentor optin", interests="nlp", capacity=1)
    await server.alice.run("/mentor request", interests="nlp")
    posted = await server.mod_log.wait_for_message(lambda m: "Accept" in m.buttons)
    assert "your DMs are closed" in posted.text
    assert posted.pings.users == [server.carol.id]
    wrong = await posted.click("Accept", by=server.bob)
    assert wrong.ephemeral
    assert "only they can answer it" in wrong.text
    await posted.click("Accept", by=server.carol)
    await server.alice.wait_for_dm(lambda m: "accepted your mentor request" in m.text)
    channel = pair_channel(server)
    assert channel.parent is None  # no mentorship category: a private channel at the top
    assert channel.permissions_for(server.carol).view_channel
    assert not channel.permissions_for(server.bob).view_channel


async def test_two_accept_clicks_at_once_make_one_mentorship(
    server: Server, emulator: DiscordEmulator
) -> None:
    await server.bob.run("/mentor optin", interests="nlp", capacity=3)
    await server.alice.run("/mentor request", interests="nlp")
    dm = await offer_dm(server.bob)
    first, second = await asyncio.gather(
        dm.click("Accept", strict=False), dm.click("Accept", strict=False)
    )
    await emulator.settle()
    refused = [r for r in (first, second) if r.ephemeral]
    assert len(refused) == 1
    assert "already accepted" in refused[0].text
    assert len([c for c in server.guild.channels if c.name.startswith("mentor-")]) == 1
    status = await server.bob.run("/mentor status")
    assert "1/3 mentees" in status.text


async def test_each_bad_input_gets_a_clear_error_and_changes_nothing(server: Server) -> None:
    with pytest.raises(InvalidOptions):
        await server.bob.run("/mentor optin", interests="nlp", capacity=11)
    cases = [
        (server.bob, "/mentor optin", {"interests": "nlp", "capacity": 0}, "between 1 and 10"),
        (server.bob, "/mentor optin", {"interests": "nlpp", "capacity": 1}, "Did you mean nlp?"),
        (server.alice, "/mentor request", {"interests": "nlpp"}, "Did you mean nlp?"),
    ]
    for member, command, options, needle in cases:
        reply = await member.run(command, strict=False, **options)
        assert reply.ephemeral
        assert needle in reply.text, (command, reply.text)
    assert "Nothing yet" in (await server.bob.run("/mentor status")).text

    await server.bob.run("/mentor optin", interests="nlp", capacity=1)
    own = await (await server.bob.run("/mentor request", interests="nlp")).wait_final()
    assert "nobody can be their own mentor" in own.text
    await server.alice.run("/mentor request", interests="nlp")
    twice = await (await server.alice.run("/mentor request", interests="nlp")).wait_final()
    assert "already have an open request" in twice.text
    dm = await offer_dm(server.bob)
    stranger = await dm.click("Accept", by=server.carol, strict=False)
    assert stranger.ephemeral
    assert "only they can answer it" in stranger.text
    await dm.click("Accept")
    not_partner = await server.alice.run("/mentor end", member=server.carol)
    assert "isn't your mentor or mentee" in not_partner.text
    status = await server.alice.run("/mentor status")
    assert server.bob.mention in status.text
    assert "Your open request" not in status.text


async def test_ending_archives_the_channel_and_asks_both_whether_it_helped(
    server: Server,
) -> None:
    await server.bob.run("/mentor optin", interests="nlp", capacity=1)
    await server.alice.run("/mentor request", interests="nlp")
    await (await offer_dm(server.bob)).click("Accept")
    await server.alice.wait_for_dm(lambda m: "accepted your mentor request" in m.text)
    channel = pair_channel(server)
    ended = await server.alice.run("/mentor end", member=server.bob)
    assert "has ended" in ended.text
    asked = await server.alice.wait_for_dm(lambda m: "Did it help" in m.text)
    answered = await asked.click("Yes, it helped")
    assert "Glad it helped" in answered.text
    await server.bob.wait_for_dm(lambda m: "Not really" in m.buttons)
    assert channel.name.startswith("ended-mentor-")
    assert channel.permissions_for(server.alice).view_channel
    assert not channel.permissions_for(server.alice).send_messages
    assert not channel.permissions_for(server.bob).send_messages
    assert "1/1 free" in (await server.carol.run("/mentor list")).text


async def test_optout_ends_mentorships_politely_and_moves_offers_on(server: Server) -> None:
    dan = server.guild.add_member("dan")
    await server.bob.run("/mentor optin", interests="nlp, python", capacity=2)
    await server.alice.run("/mentor request", interests="nlp, python")
    await (await offer_dm(server.bob)).click("Accept")
    await dan.run("/mentor optin", interests="nlp", capacity=1)
    await server.carol.run("/mentor request", interests="nlp, python")
    left = await server.bob.run("/mentor optout")
    await left.wait_final()
    assert "ended 1 mentorship" in left.text
    await server.alice.wait_for_dm(lambda m: "stopped mentoring" in m.text)
    await offer_dm(dan)
    await server.bob.wait_for_dm(lambda m: "offer was withdrawn" in m.text)


async def test_a_waiting_mentee_is_offered_to_a_mentor_who_opts_in_later(
    server: Server,
) -> None:
    await server.alice.run("/mentor request", interests="nlp")
    joined = await (await server.bob.run("/mentor optin", interests="nlp", capacity=1)).wait_final()
    assert "1 waiting request(s) fit you" in joined.text
    await offer_dm(server.bob)
    await server.alice.wait_for_dm(lambda m: f"I've asked {server.bob.mention}" in m.text)


async def test_batch_match_previews_the_pairs_then_sends_the_offers(server: Server) -> None:
    dan = server.guild.add_member("dan")
    await server.bob.run("/mentor optin", interests="nlp", capacity=1)
    await server.alice.run("/mentor request", interests="nlp")
    await (await offer_dm(server.bob)).click("Accept")
    await server.carol.run("/mentor request", interests="computer vision")
    await dan.run("/mentor request", interests="nlp")  # bob is full: dan waits
    await server.alice.run("/mentor end", member=server.bob)
    members = await server.alice.run("/mentor match", enforce_permissions=False)
    assert "Only moderators" in members.text
    preview = await server.mod.run("/mentor match")
    await preview.wait_final()
    assert f"{dan.mention} → {server.bob.mention}" in preview.text
    assert server.carol.mention in preview.text  # unmatched, keeps waiting
    assert "Nothing is sent until you press Send offers" in preview.text
    refused = await preview.click("Send offers", by=server.alice, strict=False)
    assert "Only moderators" in refused.text
    await preview.click("Send offers")
    offer = await server.bob.wait_for_dm(lambda m: "Accept" in m.buttons and dan.mention in m.text)
    assert "Why you: matched on natural language processing" in offer.text
    await dan.wait_for_dm(lambda m: server.bob.mention in m.text)


async def test_a_paused_mentor_is_skipped(server: Server) -> None:
    await server.bob.run("/mentor optin", interests="nlp", capacity=1)
    paused = await (await server.bob.run("/mentor available", available=False)).wait_final()
    assert "Paused" in paused.text
    asked = await (await server.alice.run("/mentor request", interests="nlp")).wait_final()
    assert "so it waits" in asked.text
    assert "No mentor has a free slot" in (await server.alice.run("/mentor list")).text


async def test_mentor_commands_refuse_when_the_module_is_off(server: Server) -> None:
    await server.mod.run("/config module", module="mentorship", enabled=False)
    reply = await (await server.alice.run("/mentor request", interests="nlp")).wait_final()
    assert "Mentorship is turned off" in reply.text


async def test_the_mentor_role_problem_is_named_and_opt_in_still_works(server: Server) -> None:
    high = server.guild.create_role("Mentors", position=server.guild.bot_role.position + 1)
    await server.mod.run("/config role", purpose="mentor", role=high)
    reply = await (await server.bob.run("/mentor optin", interests="nlp", capacity=1)).wait_final()
    assert "You're now a mentor" in reply.text
    assert "my own role must be above it" in reply.text
    assert high not in server.bob.roles


async def test_an_offer_that_reached_nobody_can_be_answered_from_status(server: Server) -> None:
    # carol's DMs are closed and no mod-log channel is set: the offer waits in /mentor status.
    await server.carol.run("/mentor optin", interests="nlp", capacity=1)
    await server.alice.run("/mentor request", interests="nlp")
    status = await server.carol.run("/mentor status")
    assert "Offers waiting for your answer" in status.text
    assert server.alice.mention in status.text
    await status.click("Accept")
    await server.alice.wait_for_dm(lambda m: "accepted your mentor request" in m.text)
    assert pair_channel(server).permissions_for(server.carol).view_channel


async def test_cancelling_a_request_takes_the_offer_back_from_the_mentor(server: Server) -> None:
    await server.bob.run("/mentor optin", interests="nlp", capacity=1)
    await server.alice.run("/mentor request", interests="nlp")
    offer = await offer_dm(server.bob)
    cancelled = await (await server.alice.run("/mentor cancel")).wait_final()
    assert "withdrawn" in cancelled.text
    await server.bob.wait_for_dm(lambda m: "offer was withdrawn" in m.text)
    assert offer.buttons == []
    nothing = await (await server.alice.run("/mentor cancel")).wait_final()
    assert "no open request" in nothing.text
