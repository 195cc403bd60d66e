"""REST routes for login, the gateway URL, and application command sync."""

from __future__ import annotations

from typing import Any

from . import payloads
from .rest import ApiError, Request, router, snowflake


def _app(req: Request) -> None:
    if snowflake(req.params["app_id"]) != req.emu.application_id:
        raise ApiError(403, 50001, "Missing Access")


@router.route("GET", "/users/@me")
async def me(req: Request) -> Any:
    return {
        **payloads.user(req.emu.bot_user),
        "verified": True,
        "mfa_enabled": False,
        "email": None,
        "locale": "en-US",
    }


@router.route("GET", "/oauth2/applications/@me")
async def application(req: Request) -> Any:
    emu = req.emu
    owner = payloads.user(emu.owner_user)
    return {
        "id": str(emu.application_id),
        "name": emu.bot_user.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "team": None,
        "verify_key": "0" * 64,
        "flags": emu.application_flags,
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "bot": payloads.user(emu.bot_user),
        "approximate_guild_count": len(emu.world.guilds),
        "install_params": None,
        "tags": [],
    }


@router.route("GET", "/gateway")
async def gateway(req: Request) -> Any:
    return {"url": req.emu.gateway_url}


@router.route("GET", "/gateway/bot")
async def gateway_bot(req: Request) -> Any:
    limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
    return {"url": req.emu.gateway_url, "shards": 1, "session_start_limit": limit}


@router.route("GET", "/applications/{app_id}/commands")
async def list_global_commands(req: Request) -> Any:
    _app(req)
    return req.emu.commands.global_commands


@router.route("PUT", "/applications/{app_id}/commands")
async def sync_global_commands(req: Request) -> Any:
    _app(req)
    return req.emu.commands.overwrite(None, req.json or [])


@router.route("GET", "/applications/{app_id}/guilds/{guild_id}/commands")
async def list_guild_commands(req: Request) -> Any:
    _app(req)
    return req.emu.commands.guild_commands.get(req.guild().id, [])


@router.route("PUT", "/applications/{app_id}/guilds/{guild_id}/commands")
async def sync_guild_commands(req: Request) -> Any:
    _app(req)
    return req.emu.commands.overwrite(req.guild().id, req.json or [])


@router.route("GET", "/applications/{app_id}/commands/{command_id}")
async def get_global_command(req: Request) -> Any:
    _app(req)
    for command in req.emu.commands.global_commands:
        if command["id"] == req.params["command_id"]:
            return command
    raise ApiError(404, 10063, "Unknown application command")
