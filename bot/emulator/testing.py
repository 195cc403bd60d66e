"""Running a discord.py client against the emulator in tests.

``run_client`` logs the client in (so ``setup_hook`` and any command sync in
it have finished), connects it, waits until it is ready and re-raises at once
if the client dies. It installs a :class:`ClientProbe` that lets the emulator
know (a) when the client has processed every dispatched event, so test
assertions on the client's caches never race the gateway, and (b) when the
handlers started for an interaction finished and what they logged at ERROR,
so a command that raised without answering fails its ``run`` immediately
with the traceback. ``loopback_only`` blocks DNS lookups of anything but
loopback hosts, so nothing in a test can reach the real Discord.

Pass ``guild_ready_timeout=0.05`` to the client, or discord.py waits two
seconds after the last GUILD_CREATE before becoming ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import socket
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import discord
import discord.webhook.async_
import yarl

from .server import DiscordEmulator
from .util import Signal

_current_interaction: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "emulator_interaction", default=None
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "ip6-localhost", "0.0.0.0"})


class _InteractionErrorLog(logging.Handler):
    """Collects ERROR records logged while handling an interaction (tasks inherit the context)."""

    def __init__(self, emu: DiscordEmulator) -> None:
        super().__init__(logging.ERROR)
        self.emu = emu

    def emit(self, record: logging.LogRecord) -> None:
        interaction_id = _current_interaction.get()
        if interaction_id is None:
            return
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        self.emu.interactions.report_error(interaction_id, text)


class ClientProbe:
    """Instrumentation of one discord.py client, installed by :func:`run_client`."""

    def __init__(self, emu: DiscordEmulator, client: discord.Client) -> None:
        self.emu = emu
        self.client = client
        self.session_id: str | None = None
        self.seq = 0
        self.changed = Signal()
        self._parsers: dict[str, Callable[[Any], None]] = client._connection.parsers
        self._original = dict(self._parsers)
        self._log = _InteractionErrorLog(emu)

    def install(self) -> None:
        for event, parser in self._original.items():
            self._parsers[event] = self._wrap(event, parser)
        logging.getLogger().addHandler(self._log)

    def uninstall(self) -> None:
        self._parsers.update(self._original)
        logging.getLogger().removeHandler(self._log)

    def _wrap(self, event: str, parser: Callable[[Any], None]) -> Callable[[Any], None]:
        if event == "INTERACTION_CREATE":

            def parse_interaction(data: Any) -> None:
                interaction_id = int(data["id"])
                token = _current_interaction.set(interaction_id)
                before = asyncio.all_tasks()
                try:
                    parser(data)
                finally:
                    _current_interaction.reset(token)
                self._track(interaction_id, asyncio.all_tasks() - before)
                self._processed()

            return parse_interaction

        def parse(data: Any) -> None:
            parser(data)
            self._processed()

        return parse

    def _processed(self) -> None:
        ws = self.client.ws
        if ws is not None:
            self.session_id, self.seq = ws.session_id, ws.sequence or 0
        self.changed.fire()

    def _track(self, interaction_id: int, tasks: set[asyncio.Task[Any]]) -> None:
        """Tell the engine when the tasks the client started for this interaction are all done."""
        engine = self.emu.interactions
        if not tasks:
            # No command, view or listener picked it up (unless a wait_for("interaction") will).
            handled = bool(self.client._listeners.get("interaction"))
            asyncio.get_running_loop().call_soon(
                lambda: engine.handlers_finished(interaction_id, handled=handled)
            )
            return
        remaining = len(tasks)

        def done(_: asyncio.Task[Any]) -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                engine.handlers_finished(interaction_id, handled=True)

        for task in tasks:
            task.add_done_callback(done)

    def _caught_up(self) -> bool | None:
        sessions = self.emu.gateway.sessions
        session = sessions.get(self.session_id) if self.session_id else None
        if session is None:
            # Not identified yet (or the session was invalidated): nothing to catch up with
            # unless a session exists that the client has not processed READY of.
            return not sessions or None
        return self.seq >= session.seq or None

    async def wait_processed(self, timeout: float) -> None:
        await self.changed.wait_for(
            self._caught_up,
            timeout,
            lambda: (
                f"the client did not process the gateway events within {timeout}s "
                "(is it stuck or disconnected?)"
            ),
        )


@contextlib.asynccontextmanager
async def run_client(
    emu: DiscordEmulator,
    client: discord.Client,
    *,
    token: str | None = None,
    timeout: float = 10.0,
    wait_for_sync: bool = False,
    fast_reidentify: bool = True,
) -> AsyncIterator[ClientProbe]:
    """Log ``client`` into ``emu``, connect it, and yield once it is ready; close it on exit.

    Raises ``discord.LoginFailure`` for a bad token, and re-raises at once if the
    client task dies before it is ready. ``wait_for_sync`` also waits for a command
    sync (for bots that sync in ``on_ready`` rather than in ``setup_hook``).
    ``fast_reidentify`` skips discord.py's 5 s pause before a re-IDENTIFY (after an
    invalidated session): the emulator has no identify rate limit to respect.
    """
    with emu.patch(), _redirect(emu, client):
        probe = ClientProbe(emu, client)
        probe.install()
        emu.probe = probe
        if fast_reidentify:
            client.before_identify_hook = _no_identify_pause  # type: ignore[method-assign]
        task: asyncio.Task[None] | None = None
        try:
            # login() runs setup_hook, so a sync done there has finished when it returns.
            await client.login(token or emu.token)
            task = asyncio.create_task(client.connect(), name="emulated-discord-client")
            task.add_done_callback(lambda t: _report_crash(emu, t))
            await _first(
                task, client.wait_until_ready(), timeout, "the client did not become ready"
            )
            if wait_for_sync:
                await _first(
                    task, emu.wait_for_sync(timeout), timeout, "the client did not sync commands"
                )
            await emu.settle()
            yield probe
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        finally:
            emu.probe = None
            await client.close()
            if task is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout)
            probe.uninstall()
            if fast_reidentify:
                del client.before_identify_hook


async def _no_identify_pause(shard_id: int | None, *, initial: bool = False) -> None:
    return None


def _report_crash(emu: DiscordEmulator, task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        emu.interactions.client_crashed(task.exception())  # type: ignore[arg-type]


async def _first(task: asyncio.Task[None], waiter: Any, timeout: float, what: str) -> None:
    """Await ``waiter`` but fail at once (with the client's exception) if ``task`` ends first."""
    waiting = asyncio.ensure_future(waiter)
    done, _ = await asyncio.wait(
        {task, waiting}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if waiting in done:
        waiting.result()
        return
    waiting.cancel()
    if task in done:
        task.result()
        raise RuntimeError(f"{what}: client.connect() returned")
    raise TimeoutError(f"{what} within {timeout}s")


# HTTP clients redirected by run_client, and the emulator API base each talks to. The
# interaction webhook adapter is shared by every client, so it is patched once and looks
# the client up by its aiohttp session.
_redirected: dict[Any, str] = {}
_original_webhook_request: Any = None


def _rebase(url: str, api_base: str) -> str:
    """Point a discord.py route URL (built on whatever Route.BASE was) at ``api_base``."""
    _, found, path = url.partition("/api/v10")
    return api_base + path if found else url


@contextlib.contextmanager
def _redirect(emu: DiscordEmulator, client: discord.Client) -> Iterator[None]:
    """Send this client's REST, webhook and gateway traffic to ``emu`` whatever the globals say.

    ``emu.patch()`` changes process-wide class attributes; when two clients run at once
    (a session-wide bot plus a module's own), each must still reach its own emulator.
    """
    global _original_webhook_request
    http = client.http
    request, ws_connect = http.request, http.ws_connect

    async def redirected_request(route: Any, **kwargs: Any) -> Any:
        route.url = _rebase(route.url, emu.api_base)
        return await request(route, **kwargs)

    async def redirected_ws_connect(url: str, **kwargs: Any) -> Any:
        query = yarl.URL(url).query
        return await ws_connect(str(yarl.URL(emu.gateway_url).with_query(query)), **kwargs)

    http.request = redirected_request  # type: ignore[method-assign]
    http.ws_connect = redirected_ws_connect  # type: ignore[method-assign]
    adapter_cls = discord.webhook.async_.AsyncWebhookAdapter
    if _original_webhook_request is None:
        _original_webhook_request = adapter_cls.request
        original = _original_webhook_request

        async def webhook_request(self: Any, route: Any, session: Any, **kwargs: Any) -> Any:
            for other, api_base in _redirected.items():
                if getattr(other, "_HTTPClient__session", None) is session:
                    route.url = _rebase(route.url, api_base)
            return await original(self, route, session, **kwargs)

        adapter_cls.request = webhook_request  # type: ignore[method-assign]
    _redirected[http] = emu.api_base
    try:
        yield
    finally:
        del _redirected[http]
        del http.request, http.ws_connect
        if not _redirected:
            adapter_cls.request = _original_webhook_request  # type: ignore[method-assign]
            _original_webhook_request = None


class NonLoopbackLookup(socket.gaierror):
    """A DNS lookup of a non-loopback host while ``loopback_only`` is active."""


@contextlib.contextmanager
def loopback_only() -> Iterator[list[str]]:
    """Make resolving any host but loopback raise; yields the list of hosts that were refused.

    asyncio's ``loop.getaddrinfo`` (used by aiohttp) calls ``socket.getaddrinfo``,
    so patching that one function covers sync and async lookups.
    """
    original = socket.getaddrinfo
    refused: list[str] = []

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK_HOSTS and not str(name).startswith("127."):
            refused.append(str(name))
            raise NonLoopbackLookup(
                socket.EAI_NONAME, f"loopback_only: DNS lookup of {name!r} refused in tests"
            )
        return original(host, *args, **kwargs)

    socket.getaddrinfo = guarded
    try:
        yield refused
    finally:
        socket.getaddrinfo = original
