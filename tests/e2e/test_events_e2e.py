"""/event through Discord: announcements, RSVP buttons, the waitlist, edits, cancels, .ics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import discord
import pytest
from icalendar import Calendar

from bot.app import CohortBot
from tests.e2e.conftest import Server
from tests.e2e.test_events_support import (
    EventsWorld,
    create_event,
    embed_field,
    events_world,
    new_server,
    rsvp,
    start_bot,
)


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EventsWorld]:
    async with events_world(tmp_path_factory.mktemp("events")) as built:
        yield built


@pytest.fixture(scope="module")
async def bot(world: EventsWorld) -> AsyncIterator[CohortBot]:
    async with start_bot(world) as running:
        yield running


@pytest.fixture
async def server(
    world: EventsWorld, bot: CohortBot, unexpected_errors: list[logging.LogRecord]
) -> AsyncIterator[Server]:
    srv = await new_server(world)
    yield srv
    world.emu.assert_no_unknown_routes()


async def test_create_posts_the_announcement_and_the_scheduled_event(
    world: EventsWorld, server: Server
) -> None:
    ping = server.guild.create_role("Event pings", mentionable=True)
    await server.mod.run("/config role", purpose="event-ping", role=ping)
    reply = await server.mod.run(
        "/event create",
        kind="hackathon",
        title="Spring hack @everyone <@&1>",
        start="2026-03-14 10:00",
        end="2026-03-15 18:00",
        timezone="Europe/Berlin",
        location="Mindspace Berlin",
        url="https://example.org/hack",
        description="Teams of 2-4. Bring a laptop.",
        capacity=30,
    )
    await reply.wait_final()
    assert reply.ephemeral
    assert "Announced **Spring hack" in reply.text
    assert "1 day, 1 h before" in reply.text
    post = server.announcements.last_message
    start = int(datetime(2026, 3, 14, 9, 0, tzinfo=UTC).timestamp())
    assert f"<t:{start}:F>" in embed_field(post, "When")
    assert "Hackathon: Spring hack" in post.text
    assert "Mindspace Berlin" in embed_field(post, "Where")
    assert embed_field(post, "Going") == "0 / 30"
    assert embed_field(post, "Waitlist") == "0"
    assert post.buttons == ["Going", "Interested", "Not going"]
    # only the event-ping role is pinged, never what the moderator typed
    assert post.pings.roles == [ping.id]
    assert not post.pings.everyone
    assert post.pings.users == []
    [scheduled] = server.guild.scheduled_events
    assert scheduled.name == "Spring hack @everyone <@&1>"
    assert scheduled.start_time == datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    assert scheduled.end_time == datetime(2026, 3, 15, 17, 0, tzinfo=UTC)
    assert scheduled.location == "Mindspace Berlin"


async def test_rsvp_clicks_update_the_counts_on_the_announcement(server: Server) -> None:
    post = await create_event(server)
    assert "You're going" in await rsvp(post, "Going", server.alice)
    await rsvp(post, "Interested", server.bob)
    await rsvp(post, "Not going", server.carol)
    assert (
        embed_field(post, "Going"),
        embed_field(post, "Interested"),
        embed_field(post, "Not going"),
    ) == (
        "1",
        "1",
        "1",
    )
    assert "already" in await rsvp(post, "Going", server.alice)
    assert embed_field(post, "Going") == "1"


async def test_a_full_event_waitlists_and_moves_people_up_with_a_dm(server: Server) -> None:
    post = await create_event(server, capacity=1)
    await rsvp(post, "Going", server.alice)
    assert "#1 on the waitlist" in await rsvp(post, "Going", server.bob)
    assert (embed_field(post, "Going"), embed_field(post, "Waitlist")) == ("1 / 1", "1")
    await rsvp(post, "Not going", server.alice)
    dm = await server.bob.wait_for_dm(lambda m: "seat opened up" in m.text)
    assert "Paper club" in dm.text
    assert (embed_field(post, "Going"), embed_field(post, "Waitlist")) == ("1 / 1", "0")


async def test_a_member_with_closed_dms_who_moves_up_is_told_in_the_channel(
    server: Server,
) -> None:
    post = await create_event(server, capacity=1)
    await rsvp(post, "Going", server.alice)
    await rsvp(post, "Going", server.carol)
    await rsvp(post, "Interested", server.alice)
    told = await server.announcements.wait_for_message(lambda m: "seat opened up" in m.text)
    assert told.pings.users == [server.carol.id]


async def test_simultaneous_clicks_never_oversubscribe_the_seats(server: Server) -> None:
    post = await create_event(server, capacity=3)
    members = [server.guild.add_member(f"fan{i}") for i in range(8)]
    await asyncio.gather(*(rsvp(post, "Going", m) for m in members))
    assert (embed_field(post, "Going"), embed_field(post, "Waitlist")) == ("3 / 3", "5")
    info = await server.mod.run("/event info", event="Paper club")
    assert info.text.count("<@") >= 8  # three going and five waiting, in order


async def test_edit_updates_the_announcement_and_the_scheduled_event(server: Server) -> None:
    post = await create_event(server)
    reply = await (
        await server.mod.run(
            "/event edit", event="Paper club", start="2026-03-06 19:00", title="Paper club #2"
        )
    ).wait_final()
    assert "Updated **Paper club #2**" in reply.text
    assert "reminders moved" in reply.text
    new_start = int(datetime(2026, 3, 6, 19, 0, tzinfo=UTC).timestamp())
    assert post.edited
    assert f"<t:{new_start}:F>" in embed_field(post, "When")
    assert "Paper club #2" in post.text
    [scheduled] = server.guild.scheduled_events
    assert scheduled.name == "Paper club #2"
    assert scheduled.start_time == datetime(2026, 3, 6, 19, 0, tzinfo=UTC)


async def test_cancel_marks_the_announcement_and_cancels_the_scheduled_event(
    server: Server,
) -> None:
    post = await create_event(server)
    reply = await (await server.mod.run("/event cancel", event="Paper club")).wait_final()
    assert "Cancelled **Paper club**" in reply.text
    assert "Cancelled — " in post.text
    assert post.buttons == []
    [scheduled] = server.guild.scheduled_events
    assert scheduled.status == 4
    again = await (
        await server.mod.run("/event edit", event="Paper club", title="Back on")
    ).wait_final()
    assert again.ephemeral
    assert "was cancelled, so it can't be edited" in again.text


async def test_ics_parses_back_with_the_same_data(server: Server) -> None:
    await create_event(
        server,
        title="Kaggle night",
        start="2026-03-07 20:00",
        timezone="Asia/Kolkata",
        location="Online",
        url="https://example.org/kaggle",
    )
    reply = await server.alice.run("/event ics", event="Kaggle night")
    assert reply.ephemeral
    [file] = reply.files
    assert file.filename == "kaggle-night.ics"
    [parsed] = Calendar.from_ical(file.content).walk("VEVENT")
    assert str(parsed["summary"]) == "Kaggle night"
    assert parsed.decoded("dtstart") == datetime(2026, 3, 7, 14, 30, tzinfo=UTC)
    assert parsed["dtstart"].params["TZID"] == "Asia/Kolkata"
    assert str(parsed["url"]) == "https://example.org/kaggle"
    everything = await server.alice.run("/event ics")
    assert b"Kaggle night" in everything.files[0].content


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start": "2026-03-01 09:00"}, "is in the past"),
        ({"start": "2026-03-05 18:00", "end": "2026-03-05 17:00"}, "not after the start"),
        ({"start": "tomorrow 6pm"}, "must look like `YYYY-MM-DD HH:MM`"),
        ({"start": "2026-03-05 18:00", "timezone": "Mars/Olympus"}, "Unknown timezone"),
        ({"start": "2026-03-05 18:00", "title": "t" * 101}, "the limit is 100"),
        ({"start": "2026-03-05 18:00", "description": "d" * 1001}, "the limit is 1000"),
        ({"start": "2026-03-05 18:00", "capacity": 0}, "at least 1"),
    ],
)
async def test_bad_input_gets_a_clear_private_error_and_nothing_is_posted(
    server: Server, options: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {"kind": "meetup", "title": "Paper club", **options}
    reply = await (await server.mod.run("/event create", **fields)).wait_final()
    assert reply.ephemeral
    assert message in reply.text
    assert server.announcements.messages == []
    assert server.guild.scheduled_events == []
    listed = await server.alice.run("/event list")
    assert "no upcoming events" in listed.text


async def test_without_an_announcements_channel_the_moderator_is_told_how_to_set_one(
    world: EventsWorld,
) -> None:
    server = await new_server(world, announcements=False)
    reply = await (
        await server.mod.run("/event create", kind="meetup", title="X", start="2026-03-05 18:00")
    ).wait_final()
    assert "/config channel purpose:announcements" in reply.text
    assert server.guild.scheduled_events == []


async def test_without_manage_events_the_announcement_still_goes_out(server: Server) -> None:
    server.guild.set_bot_permissions(
        discord.Permissions(
            view_channel=True, send_messages=True, embed_links=True, manage_roles=True
        )
    )
    reply = await (
        await server.mod.run(
            "/event create", kind="meetup", title="Paper club", start="2026-03-05 18:00"
        )
    ).wait_final()
    assert "Announced" in reply.text
    assert "Manage Events" in reply.text
    assert server.announcements.messages
    assert server.guild.scheduled_events == []


async def test_members_cannot_announce_but_the_ping_roles_managers_can(
    world: EventsWorld, server: Server
) -> None:
    refused = await server.alice.run(
        "/event create", kind="meetup", title="Mine", start="2026-03-05 18:00"
    )
    assert refused.ephemeral
    assert "Only moderators or those who manage the event-ping role" in refused.text
    ping = server.guild.create_role("Event pings")
    organisers = server.guild.create_role(
        "Organisers",
        permissions=discord.Permissions(manage_roles=True),
        position=ping.position + 1,
    )
    server.bob.add_role(organisers)
    await server.mod.run("/config role", purpose="event-ping", role=ping)
    await world.emu.settle()
    allowed = await (
        await server.bob.run(
            "/event create", kind="meetup", title="Bob's meetup", start="2026-03-05 18:00"
        )
    ).wait_final()
    assert "Announced" in allowed.text
    # Manage Roles below the ping role is not enough
    juniors = server.guild.create_role(
        "Juniors", permissions=discord.Permissions(manage_roles=True)
    )
    assert juniors.position < ping.position
    server.alice.add_role(juniors)
    await world.emu.settle()
    still_refused = await server.alice.run(
        "/event create", kind="meetup", title="Mine", start="2026-03-05 18:00"
    )
    assert "Only moderators" in still_refused.text


async def test_an_event_ping_role_that_cannot_be_pinged_is_pointed_out(server: Server) -> None:
    quiet = server.guild.create_role("Quiet pings")
    await server.mod.run("/config role", purpose="event-ping", role=quiet)
    reply = await (
        await server.mod.run(
            "/event create", kind="meetup", title="Paper club", start="2026-03-05 18:00"
        )
    ).wait_final()
    assert "was not pinged: make it mentionable" in reply.text
    assert server.announcements.last_message.pings.roles == []


async def test_subscribe_gives_and_unsubscribe_takes_the_event_ping_role(server: Server) -> None:
    missing = await server.alice.run("/event subscribe")
    assert "/config role purpose:event-ping" in missing.text
    ping = server.guild.create_role("Event pings")
    await server.mod.run("/config role", purpose="event-ping", role=ping)
    await server.alice.run("/event subscribe")
    assert ping in server.alice.roles
    again = await server.alice.run("/event subscribe")
    assert "already get" in again.text
    await server.alice.run("/event unsubscribe")
    assert ping not in server.alice.roles


async def test_list_and_info_show_upcoming_events_and_your_answer(server: Server) -> None:
    post = await create_event(server, capacity=2)
    await create_event(server, kind="hackathon", title="Hack day", start="2026-03-20 09:00")
    await rsvp(post, "Going", server.alice)
    listed = await server.bob.run("/event list")
    assert listed.ephemeral
    assert listed.text.index("Paper club") < listed.text.index("Hack day")
    assert "1 / 2 going" in listed.text
    hackathons = await server.bob.run("/event list", kind="hackathon")
    assert "Paper club" not in hackathons.text
    info = await server.alice.run("/event info", event="Paper club")
    assert "Your answer: Going" in info.text
    assert "Reminders" in info.text
    choices = await server.alice.autocomplete("/event info", "event", "pap")
    assert [c["name"] for c in choices] == ["Paper club — 2026-03-05 18:00 UTC"]


async def test_events_switched_off_answer_politely(server: Server) -> None:
    await server.mod.run("/config module", module="events", enabled=False)
    reply = await server.alice.run("/event list")
    assert "Events are turned off in this server" in reply.text
