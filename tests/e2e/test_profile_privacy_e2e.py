"""/help, /profile and /privacy as members use them."""

from __future__ import annotations

import json

from tests.e2e.conftest import Server


async def test_help_shows_member_commands_to_members(server: Server) -> None:
    reply = await server.alice.run("/help")
    assert reply.ephemeral
    assert "/profile set" in reply.text
    assert "/study log" in reply.text
    assert "🛡️" not in reply.text
    # commands guarded by the bot's own moderator checks are not offered to members
    for moderator_command in ("/config", "/streak adjust", "/event create", "/event review"):
        assert moderator_command not in reply.text


async def test_help_shows_moderator_commands_to_moderators(server: Server) -> None:
    reply = await server.mod.run("/help")
    for command in ("/config streak", "/streak adjust", "/event create", "/event review"):
        assert f"`{command}` 🛡️" in reply.text
    assert "`/study log` —" in reply.text
    assert "moderators only" in reply.text
    assert "…" not in reply.text  # nothing cut off at Discord's field limit


async def test_help_works_in_a_direct_message(server: Server) -> None:
    reply = await server.alice.run("/help", in_dm=True)
    assert "/profile set" in reply.text
    assert "inside a server" in reply.text


async def test_profile_set_and_show(server: Server) -> None:
    reply = await server.alice.run(
        "/profile set", interests="NLP, python", timezone="Asia/Tokyo", level="beginner"
    )
    assert reply.ephemeral
    assert "Saved your profile" in reply.text
    assert "natural language processing, python" in reply.text
    card = await server.bob.run("/profile show", member=server.alice)
    assert "alice" in card.text
    assert "Asia/Tokyo" in card.text
    assert "beginner" in card.text


async def test_profile_with_an_unknown_interest_writes_nothing(server: Server) -> None:
    await server.alice.run("/profile set", interests="python")
    reply = await server.alice.run("/profile set", interests="pyhton, nlp", level="advanced")
    assert reply.ephemeral
    assert 'Unknown interest "pyhton". Did you mean python?' in reply.text
    card = await server.alice.run("/profile show")
    assert "advanced" not in card.text


async def test_profile_rejects_a_bad_timezone_and_text_that_is_too_long(server: Server) -> None:
    tz = await server.alice.run("/profile set", timezone="Mars/Olympus")
    assert "Unknown timezone" in tz.text
    long = await server.alice.run("/profile set", interests="nlp, " * 400, strict=False)
    assert long.ephemeral
    assert "the limit is 400" in long.text
    assert "haven't set a profile" in (await server.alice.run("/profile show")).text


async def test_mentions_typed_as_interests_are_refused(server: Server) -> None:
    reply = await server.alice.run("/profile set", interests="@everyone, <@123>", strict=False)
    assert reply.ephemeral
    assert "Unknown interest" in reply.text
    assert reply.message is not None
    assert reply.message.pings.nobody


async def test_profile_autocomplete_completes_interests(server: Server) -> None:
    choices = await server.alice.autocomplete("/profile set", "interests", "nlp, comp")
    assert choices[0]["value"] == "nlp, computer vision"
    zones = await server.alice.autocomplete("/profile set", "timezone", "tokyo")
    assert zones[0]["value"] == "Asia/Tokyo"


async def test_profile_show_for_someone_without_one(server: Server) -> None:
    reply = await server.alice.run("/profile show", member=server.bob)
    assert "bob hasn't set a profile yet" in reply.text


async def test_privacy_export_is_a_json_file_with_everything(server: Server) -> None:
    await server.alice.run("/profile set", interests="nlp", timezone="Europe/Berlin")
    reply = await server.alice.run("/privacy export")
    assert reply.ephemeral
    [file] = reply.files
    data = json.loads(file.content)
    assert data["user_id"] == str(server.alice.id)
    assert data["tables"]["member_profiles"][0]["timezone"] == "Europe/Berlin"


async def test_privacy_delete_asks_first_and_only_the_owner_can_confirm(server: Server) -> None:
    await server.alice.run("/profile set", interests="nlp")
    ask = await server.alice.run("/privacy delete")
    assert ask.ephemeral
    assert ask.buttons == ["Erase my data", "Keep my data"]
    # Discord shows an ephemeral message to its owner only; the bot checks again anyway.
    intruder = await ask.click("Erase my data", by=server.bob, strict=False)
    assert "belongs to someone else" in intruder.text
    assert "natural language processing" in (await server.alice.run("/profile show")).text
    done = await ask.click("Erase my data")
    assert "erased 2 records" in done.text
    assert "haven't set a profile" in (await server.alice.run("/profile show")).text


async def test_privacy_delete_can_be_cancelled(server: Server) -> None:
    await server.alice.run("/profile set", level="beginner")
    ask = await server.alice.run("/privacy delete")
    kept = await ask.click("Keep my data")
    assert "Nothing was erased" in kept.text
    assert "beginner" in (await server.alice.run("/profile show")).text
