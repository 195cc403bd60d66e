"""/stats as moderators use it, and refused to members."""

from __future__ import annotations

import pytest

from bot.emulator import CommandUnavailable
from tests.e2e.conftest import Server


async def test_moderators_see_how_the_server_is_studying(server: Server) -> None:
    await server.alice.run("/study log", minutes=30)
    await server.bob.run("/study log", minutes=10)
    await server.bob.run("/mentor optin", interests="nlp", capacity=2)
    reply = await server.mod.run("/stats")
    assert reply.ephemeral
    text = reply.text
    assert "2 members today" in text
    assert "40 minutes in the last 7 days" in text
    assert "1 member on a streak" in text
    assert "1–6 days: 1" in text
    assert "1 mentor (1 available)" in text
    assert "0 upcoming" in text


async def test_stats_are_for_moderators_only(server: Server) -> None:
    with pytest.raises(CommandUnavailable):
        await server.alice.run("/stats")
    reply = await server.alice.run("/stats", enforce_permissions=False)
    assert reply.ephemeral
    assert "Only moderators can do this" in reply.text
