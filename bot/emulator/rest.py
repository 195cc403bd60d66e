"""REST plumbing: routing, auth, body parsing, recording, injected faults, errors.

Route handlers (``routes_*.py``) register with :data:`router` and raise
:class:`ApiError` for Discord's error answers. Every request is recorded in
``emu.calls``; a request no route knows gets Discord's 404 and is listed in
``emu.unknown_routes`` so a test can fail on it. Answers are JSON with a
Content-Type of exactly ``application/json`` (discord.py ignores bodies
labelled otherwise).
"""

from __future__ import annotations

import contextlib
import json
import re
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import EmulatorError
from .permissions import channel_permissions, names
from .util import holding_actions

if TYPE_CHECKING:
    from .members import Guild, Member
    from .messages import Message
    from .server import DiscordEmulator
    from .state import Channel, Role, User

API_PREFIX = "/api/v10"
EMULATOR_KEY: web.AppKey[Any] = web.AppKey("emulator")


@dataclass
class Call:
    """One REST request as the emulator saw it."""

    method: str
    path: str
    json: Any
    status: int = 0
    query: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    reason: str | None = None


@dataclass
class UploadedFile:
    field: str
    filename: str
    content: bytes
    content_type: str | None


class ApiError(Exception):
    """A Discord error answer: HTTP status, JSON error code and message."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def missing_permissions(needed: int = 0) -> ApiError:
    error = ApiError(403, 50013, "Missing Permissions")
    error.needed = names(needed)  # type: ignore[attr-defined]  # handy when debugging a test
    return error


def invalid_form(field_path: str, message: str, code: str = "BASE_TYPE_INVALID") -> ApiError:
    """Discord's 400 50035 with errors nested along ``field_path`` (``"0.options.1.name"``)."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(field_path.split(".")):
        errors = {key: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


@dataclass
class JsonReply:
    status: int
    body: Any


@dataclass
class Request:
    """What a route handler gets: path params, parsed body, uploaded files."""

    emu: DiscordEmulator
    method: str
    path: str
    params: dict[str, str]
    json: Any
    files: list[UploadedFile]
    query: dict[str, str]
    reason: str | None

    @property
    def body(self) -> dict[str, Any]:
        return self.json if isinstance(self.json, dict) else {}

    # -- lookups answering Discord's 404s ---------------------------------------------

    def guild(self, key: str = "guild_id") -> Guild:
        guild = self.emu.world.guilds.get(snowflake(self.params[key]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    def channel(self, key: str = "channel_id") -> Channel:
        channel = self.emu.world.channels.get(snowflake(self.params[key]))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def message(self, channel: Channel, key: str = "message_id") -> Message:
        message = self.emu.world.messages.get(snowflake(self.params[key]))
        if (
            message is None
            or message.deleted
            or message.channel is not channel
            or message.ephemeral_for is not None
        ):
            raise ApiError(404, 10008, "Unknown Message")
        return message

    def user(self, key: str = "user_id") -> User:
        raw = self.params[key]
        user_id = self.emu.bot_user.id if raw == "@me" else snowflake(raw)
        user = self.emu.world.users.get(user_id)
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return user

    def member(self, guild: Guild, key: str = "user_id") -> Member:
        raw = self.params[key]
        member = guild.members_by_id.get(self.emu.bot_user.id if raw == "@me" else snowflake(raw))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return member

    def role(self, guild: Guild, key: str = "role_id") -> Role:
        role = guild.roles_by_id.get(snowflake(self.params[key]))
        if role is None:
            raise ApiError(404, 10011, "Unknown Role")
        return role

    # -- the bot's permissions -----------------------------------------------------------

    def require(self, guild: Guild, needed: int, channel: Channel | None = None) -> None:
        """403 50013 unless the bot has every bit of ``needed`` (in ``channel`` if given)."""
        from .permissions import base_permissions

        bot = guild.bot
        have = channel_permissions(bot, channel) if channel is not None else base_permissions(bot)
        if have & needed != needed:
            raise missing_permissions(needed & ~have)

    def require_view(self, channel: Channel) -> None:
        """403 50001 when the bot cannot see the channel at all."""
        from .permissions import VIEW_CHANNEL

        if (
            channel.guild is not None
            and not channel_permissions(channel.guild.bot, channel) & VIEW_CHANNEL
        ):
            raise ApiError(403, 50001, "Missing Access")


def snowflake(value: Any) -> int:
    """Discord accepts snowflakes as JSON strings or ints."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_form(
            "id", f"Value {value!r} is not snowflake.", "NUMBER_TYPE_COERCE"
        ) from None


Handler = Callable[[Request], Awaitable[Any]]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, method: str, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        """Register a handler for ``path``, written like ``/channels/{channel_id}``."""
        pattern = re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)))

        def decorator(handler: Handler) -> Handler:
            self.routes.append(Route(method, pattern, handler, auth))
            return handler

        return decorator

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method == method:
                found = route.pattern.fullmatch(path)
                if found:
                    return route, found.groupdict()
        return None


router = Router()


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    retry_after: float
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.hits < self.times
            and self.method in ("*", method)
            and bool(self.pattern.fullmatch(path))
        )

    def response(self) -> web.Response:
        if self.status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": False,
            }
            # discord.py treats a 429 without a Via header as a Cloudflare ban.
            headers = {
                "Retry-After": str(self.retry_after),
                "Via": "1.1 google",
                "X-RateLimit-Scope": "user",
            }
            return json_response(429, body, headers)
        return json_response(self.status, {"message": f"{self.status}: Server Error", "code": 0})


def fault_pattern(path_pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    """``{anything}`` matches one path segment, ``*`` anything; a compiled regex is used as is."""
    if isinstance(path_pattern, re.Pattern):
        return path_pattern
    parts = re.split(r"(\{[^}/]*\}|\*)", path_pattern)
    regex = "".join(
        ".*" if p == "*" else "[^/]+" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(regex)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204:
        return web.Response(status=204, headers=headers)
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


async def parse_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """JSON body, or multipart with ``payload_json`` plus ``files[n]`` parts."""
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = getattr(part, "name", None) or ""
            data = await part.read()  # type: ignore[union-attr]
            if name == "payload_json":
                payload = json.loads(data)
            elif getattr(part, "filename", None):
                ctype = part.headers.get("Content-Type")
                files.append(UploadedFile(name, part.filename or name, bytes(data), ctype))  # type: ignore[union-attr]
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


async def handle(request: web.Request) -> web.Response:
    """Entry point for every ``/api/v10/...`` request."""
    emu: DiscordEmulator = request.app[EMULATOR_KEY]
    method, path = request.method, request.path
    sub = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
    try:
        body, files = await parse_body(request)
    except ApiError as error:
        return json_response(error.status, error.body())
    call = Call(
        method,
        sub,
        body,
        query=dict(request.query),
        files=[f.filename for f in files],
        reason=request.headers.get("X-Audit-Log-Reason"),
    )
    emu.calls.append(call)
    found = router.match(method, sub) if path.startswith(API_PREFIX) else None
    if found is None:
        emu.unknown_routes.append(f"{method} {sub}")
        call.status = 404
        return json_response(404, {"message": "404: Not Found", "code": 0})
    route, params = found
    if route.auth and request.headers.get("Authorization") != f"Bot {emu.token}":
        call.status = 401
        return json_response(401, {"message": "401: Unauthorized", "code": 0})
    for fault in emu.faults:
        if fault.matches(method, sub):
            fault.hits += 1
            call.status = fault.status
            return fault.response()
    req = Request(emu, method, sub, params, body, files, dict(request.query), call.reason)
    dispatched = emu.gateway.dispatched
    with holding_actions() as held:
        try:
            result = await route.handler(req)
        except ApiError as error:
            result = JsonReply(error.status, error.body())
        except Exception as error:
            # A 5xx would make discord.py retry with back-off; answer 400 and record the bug.
            emu.internal_errors.append(f"{method} {sub}: {traceback.format_exc()}")
            result = JsonReply(400, {"message": f"emulator error: {error!r}", "code": 0})
        if emu.settle_rest and emu.gateway.dispatched != dispatched:
            # Deterministic caches: answer once the client processed the events this call caused.
            with contextlib.suppress(EmulatorError):
                await emu.settle()
    reply = (
        result
        if isinstance(result, JsonReply)
        else JsonReply(204 if result is None else 200, result)
    )
    call.status = reply.status
    response = json_response(reply.status, reply.body)
    # Write the answer before releasing waiting tests, so the bot has it before they act.
    try:
        await response.prepare(request)
        await response.write_eof()
    finally:
        for action in held:
            action()
    return response
