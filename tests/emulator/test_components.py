"""Buttons, selects and modals, on interaction responses, channel messages and DMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.emulator import EmulatorError, InvalidOptions, NoResponse

if TYPE_CHECKING:
    from tests.emulator.tinybot import Env


async def test_click_updates_the_message(env: Env) -> None:
    reply = await env.alice.run("/signup")
    assert reply.buttons == ["Accept", "Later", "Going", "Docs"]
    clicked = await reply.click("Accept")
    assert clicked.type == 7
    # The click edited the very message the View was stored under.
    assert clicked.message is reply.message
    assert reply.content == "accepted by alice"
    assert reply.buttons == []
    assert reply.message is not None
    assert reply.message.edited


async def test_the_bot_decides_who_may_click(env: Env) -> None:
    reply = await env.alice.run("/signup")
    refused = await reply.click("Accept", by=env.bob)
    assert refused.content == "not your signup"
    assert refused.ephemeral
    assert reply.content == "Sign up?"


async def test_deferred_update_then_edit(env: Env) -> None:
    reply = await env.alice.run("/signup")
    later = await reply.click("Later")
    assert later.type == 6
    assert later.deferred
    await later.wait_final()
    assert reply.content == "maybe later"


async def test_persistent_dynamic_item(env: Env) -> None:
    reply = await env.alice.run("/signup")
    going = await reply.click("Going", by=env.bob)
    assert going.content == "going to 7: bob"
    assert going.ephemeral
    with pytest.raises(EmulatorError, match=r"link to https://example\.invalid/docs"):
        await reply.click("Docs")
    with pytest.raises(EmulatorError, match=r"no button 'Nope'.*'Accept'"):
        await reply.click("Nope")


async def test_strict_false_reaches_what_members_cannot_see(env: Env) -> None:
    reply = await env.alice.run("/pick")
    with pytest.raises(EmulatorError, match="cannot see an ephemeral message"):
        await reply.select("buddy", [env.carol], by=env.bob)
    # With strict=False the bot's own checks get exercised.
    forced = await reply.select("buddy", [env.carol], by=env.bob, strict=False)
    assert forced.content == "buddy carol"


async def test_selects(env: Env) -> None:
    reply = await env.alice.run("/pick")
    assert reply.ephemeral
    with pytest.raises(EmulatorError, match="cannot see an ephemeral message"):
        await reply.select("Pick topics", ["NLP"], by=env.bob)
    with pytest.raises(InvalidOptions, match=r"takes 1\.\.2 values"):
        await reply.select("Pick topics", ["nlp", "cv", "rl"])
    picked = await reply.select("Pick topics", ["NLP", "rl"])
    assert picked.type == 7
    assert reply.content == "picked nlp,rl"


async def test_user_select_resolves_members(env: Env) -> None:
    reply = await env.alice.run("/pick")
    buddy = await reply.select("buddy", [env.bob])
    assert buddy.content == "buddy bob"


async def test_modal(env: Env) -> None:
    reply = await env.alice.run("/feedback")
    assert reply.type == 9
    assert reply.modal is not None
    assert reply.modal["title"] == "Feedback"
    with pytest.raises(InvalidOptions, match="'Topic' is required"):
        await reply.submit_modal({"Details": "more"})
    with pytest.raises(InvalidOptions, match=r"0\.\.20"):
        await reply.submit_modal({"topic": "x" * 30})
    submitted = await reply.submit_modal({"Topic": "pandas", "details": "groupby"})
    assert submitted.content == "thanks for pandas|groupby"
    assert submitted.ephemeral
    with pytest.raises(EmulatorError, match="already submitted"):
        await reply.submit_modal({"topic": "numpy"})
    submitted = await (await env.alice.run("/feedback")).submit_modal({"topic": "numpy"})
    assert submitted.content == "thanks for numpy|"


async def test_click_on_channel_message_and_dm(env: Env) -> None:
    event_reply = await env.alice.run("/session", title="Intro to transformers")
    assert event_reply.content.startswith("event ")
    announcement = await env.guild.general.wait_for_message(
        lambda m: m.content.startswith("New session")
    )
    assert announcement.content == "New session: Intro to transformers"
    with pytest.raises(EmulatorError, match="pass by=member"):
        await announcement.click("Going")
    going = await announcement.click("Going", by=env.bob)
    event = env.guild.event("Intro to transformers")
    assert going.content == f"going to {event.id}: bob"

    sent = await env.mod.run("/dm", user=env.alice)
    assert sent.content == "sent"
    dm = env.alice.last_dm()
    assert dm.content == "Welcome to the study group"
    with pytest.raises(EmulatorError, match="DM between the bot and someone else"):
        await dm.click("Confirm", by=env.bob)
    confirmed = await dm.click("Confirm")
    assert confirmed.type == 7
    assert env.alice.last_dm().content == "confirmed"


async def test_stale_button_fails_like_discord(env: Env) -> None:
    message = await env.alice.send(
        "buttons without a view",
        components=[
            {
                "type": 1,
                "components": [{"type": 2, "style": 1, "label": "Orphan", "custom_id": "orphan"}],
            }
        ],
    )
    with pytest.raises(NoResponse, match="nothing in the bot handled it"):
        await message.click("Orphan", by=env.bob)
