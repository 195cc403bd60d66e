"""Login, the gateway handshake, reconnects, resumes, intents, and the DNS guard."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import aiohttp
import discord
import pytest

from bot.emulator import DiscordEmulator, NonLoopbackLookup, run_client
from tests.emulator.tinybot import build_bot, start_env

if TYPE_CHECKING:
    from tests.emulator.tinybot import Env


async def test_bad_token_is_a_login_failure() -> None:
    base_before = discord.http.Route.BASE
    async with DiscordEmulator() as emu:
        emu.create_guild("Somewhere")
        bot = build_bot(0)
        with pytest.raises(discord.LoginFailure):
            async with run_client(emu, bot, token="not-the-token"):
                pass  # pragma: no cover
        assert [(c.method, c.path, c.status) for c in emu.calls] == [("GET", "/users/@me", 401)]
        assert base_before == discord.http.Route.BASE  # the patch was undone


async def test_raw_answers_are_exactly_json(env: Env) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {env.emu.token}"}
        async with session.get(f"{env.emu.api_base}/users/@me", headers=headers) as response:
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["username"] == "Cohort"
        async with session.get(
            f"{env.emu.api_base}/users/@me", headers={"Authorization": "Bot nope"}
        ) as response:
            assert response.status == 401
            assert await response.json() == {"message": "401: Unauthorized", "code": 0}


async def test_handshake(env: Env) -> None:
    bot, emu = env.bot, env.emu
    assert bot.user is not None
    assert bot.user.id == emu.bot_user.id
    assert bot.application_id == emu.application_id
    assert str(bot.ws.gateway) == emu.gateway_url  # READY's resume_gateway_url
    guild = bot.get_guild(env.guild.id)
    assert guild is not None
    assert guild.chunked
    assert guild.member_count == len(guild.members) == len(env.guild.members)
    assert {c.name for c in guild.channels} == {c.name for c in env.guild.channels}
    assert guild.me.top_role.id == env.guild.bot_role.id
    assert emu.command_paths(env.guild)[:3] == ["/admin config show", "/boom", "/dm"]


async def test_reconnect_resumes(env: Env) -> None:
    identifies, resumes = env.emu.gateway.identify_count, env.emu.gateway.resume_count
    await env.emu.gateway_reconnect()
    assert env.emu.gateway.resume_count == resumes + 1
    assert env.emu.gateway.identify_count == identifies
    assert (await env.alice.run("/ping")).content == "pong"


async def test_invalid_session_identifies_again(env: Env) -> None:
    identifies = env.emu.gateway.identify_count
    await env.emu.invalidate_session()
    assert env.emu.gateway.identify_count == identifies + 1
    assert env.bot.get_guild(env.guild.id) is not None
    assert (await env.alice.run("/ping")).content == "pong"


async def test_dropped_connection_resumes_and_replays_missed_events(env: Env) -> None:
    resumes = env.emu.gateway.resume_count
    await env.emu.drop_gateway(wait=False)
    # While the client is cut off: a member joins and someone runs a command.
    latecomer = env.guild.add_member("latecomer")
    reply = await env.alice.run("/ping")
    assert reply.content == "pong"
    assert env.emu.gateway.resume_count == resumes + 1
    client_guild = env.bot.get_guild(env.guild.id)
    assert client_guild is not None
    assert client_guild.get_member(latecomer.id) is not None


async def test_guild_created_while_connected(env: Env) -> None:
    second = env.emu.create_guild("Second Server")
    newcomer = second.add_member("zed")
    await env.emu.settle()
    client_guild = env.bot.get_guild(second.id)
    assert client_guild is not None
    assert client_guild.get_member(newcomer.id) is not None
    # Global commands work there; the guild-only /local was synced for the first guild only.
    assert (await newcomer.run("/ping")).content == "pong"
    with pytest.raises(AssertionError, match="not a synced command"):
        await newcomer.run("/local")


async def test_intents_are_respected() -> None:
    async with start_env(lambda gid: build_bot(gid, intents=discord.Intents.default())) as env:
        client_guild = env.bot.get_guild(env.guild.id)
        assert client_guild is not None
        # Without GUILD_MEMBERS only the bot's own member arrives, and joins are not announced.
        assert [m.id for m in client_guild.members] == [env.emu.bot_user.id]
        assert client_guild.member_count == len(env.guild.members)
        env.guild.add_member("quiet")
        # Without MESSAGE_CONTENT guild messages arrive blank unless they mention the bot.
        await env.alice.send("secret plans")
        await env.alice.send(f"{env.emu.bot_user.mention} hello")
        seen = env.bot.seen_messages  # type: ignore[attr-defined]
        assert [m.content for m in seen[-2:]] == ["", f"{env.emu.bot_user.mention} hello"]
        assert len(client_guild.members) == 1
        # Interactions still carry the invoking member.
        assert (await env.alice.run("/ping")).content == "pong"


async def test_dns_guard_blocks_real_hosts(refused_lookups: list[str]) -> None:
    with pytest.raises(NonLoopbackLookup, match=r"discord\.com"):
        socket.getaddrinfo("discord.com", 443)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorError, match=r"discord\.com"):
            await session.get("https://discord.com/api/v10/gateway")
    assert set(refused_lookups) == {"discord.com"}
    assert socket.getaddrinfo("127.0.0.1", 80)
    refused_lookups.clear()  # blocked on purpose; don't fail this test for it


async def test_two_clients_each_reach_their_own_emulator(env: Env) -> None:
    # env's bot stays connected while a second emulator and bot run: no cross-talk.
    async with start_env() as other:
        assert (await other.alice.run("/ping")).content == "pong"
        assert (await env.alice.run("/ping")).content == "pong"
        reply = await other.alice.run("/setup", name="Other")
        await reply.wait_final()
        assert "role=True" in reply.content
    assert env.emu.unknown_routes == []
    assert not any("Other" in str(call.json) for call in env.emu.calls)
