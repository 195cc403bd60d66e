"""DiscordEmulator: the loopback HTTP + websocket server and its control surface.

One aiohttp application serves ``/api/v10/...`` (REST), ``/gateway/`` (the
websocket) and ``/attachments/...`` (file downloads). ``patch()`` points
discord.py at it. Fault tools (``inject_fault``, ``gateway_reconnect``,
``invalidate_session``, ``drop_gateway``) reproduce Discord's failure modes.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

# Importing the route modules registers their handlers with the router.
from . import (  # noqa: F401
    responses,
    routes_app,
    routes_channels,
    routes_events,
    routes_guild,
    routes_messages,
)
from .commands import CommandStore
from .gateway import Gateway
from .interactions import InteractionEngine
from .messages import Attachment
from .rest import EMULATOR_KEY, Call, Fault, fault_pattern, handle
from .util import perms_value, utcnow
from .world import World

if TYPE_CHECKING:
    from .members import Guild
    from .state import User


class DiscordEmulator:
    """A fake Discord on 127.0.0.1 that discord.py can log into and test members can use."""

    def __init__(
        self,
        *,
        bot_name: str = "Cohort",
        token: str | None = None,
        enforce_default_permissions: bool = True,
        interaction_ack_timeout: float = 3.0,
        settle_timeout: float = 5.0,
        settle_rest: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """``settle_rest``: a REST call that changed something answers only after the client has
        processed the gateway events it caused, so caches read right after the call are current.
        Discord gives no such ordering; pass False to let REST answers race the gateway."""
        # The emulator's clock: message timestamps, snowflakes, "events in the past" checks.
        # Tests with a frozen clock pass it here so Discord-side times agree with the bot's.
        self.now: Callable[[], datetime] = now or utcnow
        self.token = token or f"emulator.{secrets.token_urlsafe(24)}"
        self.enforce_default_permissions = enforce_default_permissions
        self.interaction_ack_timeout = interaction_ack_timeout
        self.settle_timeout = settle_timeout
        self.settle_rest = settle_rest
        self.world = World(self)
        self.gateway = Gateway(self)
        self.commands = CommandStore(self)
        self.interactions = InteractionEngine(self)
        self.bot_user = self.world.create_user(bot_name, bot=True)
        self.owner_user = self.world.create_user("app-owner")
        self.application_id = self.bot_user.id
        # GATEWAY_MESSAGE_CONTENT_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED: privileged intents on.
        self.application_flags = (1 << 19) | (1 << 15)
        self.calls: list[Call] = []
        self.unknown_routes: list[str] = []
        self.internal_errors: list[str] = []
        self.faults: list[Fault] = []
        self.attachments: dict[int, Attachment] = {}
        self.port = 0
        self._runner: web.AppRunner | None = None
        # Set by run_client: lets waits block until the client processed every dispatched event.
        self.probe: Any = None

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app[EMULATOR_KEY] = self
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._download)
        app.router.add_route("*", "/{tail:.*}", handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        assert server.sockets
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @contextlib.contextmanager
    def patch(self) -> Iterator[None]:
        """Point discord.py's REST base and gateway URL here; restores both on exit."""
        if not self.port:
            raise RuntimeError("start the emulator before patching discord.py")
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    def attachment_url(self, attachment_id: int, filename: str) -> str:
        return f"{self.base_url}/attachments/{attachment_id}/{filename}"

    async def _download(self, request: web.Request) -> web.Response:
        attachment = self.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None:
            return web.Response(status=404)
        return web.Response(
            body=attachment.content,
            content_type=attachment.content_type or "application/octet-stream",
        )

    # -- the world -------------------------------------------------------------------------------

    def create_guild(
        self, name: str, *, owner: str = "owner", bot_permissions: Any = None
    ) -> Guild:
        """A server with an owner, @everyone, #general and the bot (with its managed role)."""
        return self.world.create_guild(
            name,
            owner=owner,
            bot_permissions=None if bot_permissions is None else perms_value(bot_permissions),
        )

    def create_user(
        self, name: str, *, dms_open: bool = True, global_name: str | None = None
    ) -> User:
        """A Discord user in no guild yet (add them with ``guild.add_member(user=...)``)."""
        return self.world.create_user(name, dms_open=dms_open, global_name=global_name)

    @property
    def guilds(self) -> list[Guild]:
        return list(self.world.guilds.values())

    # -- REST inspection and faults ---------------------------------------------------------

    def inject_fault(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        *,
        status: int = 500,
        times: int = 1,
        retry_after: float = 0.01,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status``.

        A 429 carries ``Retry-After`` and ``Via`` headers and ``retry_after`` in its body.

        ``path_pattern`` is the path after ``/api/v10``; ``{name}`` matches one segment and
        ``*`` anything.
        """
        fault = Fault(method.upper(), fault_pattern(path_pattern), status, times, retry_after)
        self.faults.append(fault)
        return fault

    def calls_to(self, method: str, path_pattern: str | re.Pattern[str]) -> list[Call]:
        pattern = fault_pattern(path_pattern)
        return [
            c for c in self.calls if method.upper() in ("*", c.method) and pattern.fullmatch(c.path)
        ]

    def assert_no_unknown_routes(self) -> None:
        """Fail if the bot called a route the emulator does not know, or one it failed to handle."""
        problems = []
        if self.unknown_routes:
            listed = "\n  ".join(self.unknown_routes)
            problems.append(f"the bot called routes the emulator does not know:\n  {listed}")
        if self.internal_errors:
            problems.append(
                "the emulator failed on these requests:\n" + "\n".join(self.internal_errors)
            )
        if problems:
            raise AssertionError("\n".join(problems))

    # -- gateway fault tools ----------------------------------------------------------------

    async def gateway_reconnect(self, *, wait: bool = True) -> None:
        """Send op 7 RECONNECT; the client resumes. With ``wait`` return once it is back."""
        self.gateway.reconnect()
        if wait:
            await self._wait_back()

    async def invalidate_session(self, *, resumable: bool = False, wait: bool = True) -> None:
        """Send op 9 INVALID_SESSION; a non-resumable session makes the client IDENTIFY again."""
        self.gateway.invalidate(resumable)
        if wait:
            await self._wait_back()

    async def drop_gateway(self, *, wait: bool = True) -> None:
        """Cut the websocket without a close frame; the client reconnects and resumes."""
        self.gateway.drop()
        if wait:
            await self._wait_back()

    async def _wait_back(self) -> None:
        await self.gateway.wait_until_connected(self.settle_timeout)
        await self.settle()

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until the client has processed every event dispatched so far (needs run_client)."""
        if self.probe is not None:
            await self.probe.wait_processed(timeout or self.settle_timeout)

    def command_paths(self, guild: Guild | None = None) -> list[str]:
        """Synced slash command paths visible in ``guild`` (global only with ``None``)."""
        return self.commands.paths(None if guild is None else guild.id)

    async def wait_for_sync(self, timeout: float = 5.0) -> None:
        """Wait until the bot synced its commands at least once."""
        await self.commands.synced.wait_for(
            lambda: self.commands.sync_count > 0,
            timeout,
            lambda: f"the bot did not sync commands within {timeout}s",
        )
