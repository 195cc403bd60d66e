"""The websocket gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME, dispatches.

Each IDENTIFY opens a :class:`Session` that numbers its dispatches and keeps
them in a buffer, so a client that loses its socket (op 7, a drop) can RESUME
and gets exactly the events it missed. Dispatching is synchronous (frames go
onto the connection's queue, one writer task sends them in order), so events
keep the order in which the world changed. Events are filtered by the
session's intents like Discord does; frames are plain JSON text (discord.py
only decompresses binary frames).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads
from .util import Signal

if TYPE_CHECKING:
    from .members import Guild
    from .messages import Message
    from .server import DiscordEmulator

HEARTBEAT_INTERVAL_MS = 41250
BUFFER_SIZE = 10000


class Intent:
    """Gateway intent bits the emulator filters on."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_VOICE_STATES = 1 << 7
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


class Connection:
    """One websocket; frames are sent by a single writer task, in queue order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.session: Session | None = None
        self.ready = False
        self.writer = asyncio.create_task(self._write_loop(), name="emulator-gateway-writer")

    def send(self, payload: dict[str, Any] | str) -> None:
        self.queue.put_nowait(payload if isinstance(payload, str) else json.dumps(payload))

    async def _write_loop(self) -> None:
        while (frame := await self.queue.get()) is not None:
            try:
                await self.ws.send_str(frame)
            except Exception:
                # The peer is gone; the session's buffer keeps the frames for a RESUME.
                return

    def stop_writer(self) -> None:
        self.queue.put_nowait(None)


class Session:
    """A gateway session: sequence numbers, intents, and the replay buffer."""

    def __init__(self, session_id: str, intents: int) -> None:
        self.id = session_id
        self.intents = intents
        self.seq = 0
        self.buffer: deque[tuple[int, str]] = deque(maxlen=BUFFER_SIZE)
        self.conn: Connection | None = None

    def push(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        self.buffer.append((self.seq, frame))
        if self.conn is not None:
            self.conn.send(frame)

    def can_replay_from(self, seq: int) -> bool:
        return not self.buffer or self.buffer[0][0] <= seq + 1


class Gateway:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identify_count = 0
        self.resume_count = 0
        self.dispatched = 0  # events dispatched so far, to tell whether a REST call caused any
        # Fired whenever a session becomes ready or a socket closes.
        self.changed = Signal()

    # -- websocket handling -----------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.add(conn)
        conn.send(
            {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_payload(conn, json.loads(msg.data))
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if ws.close_code in (1000, 1001):
                    # A client that closes cleanly ends its session (discord.py's close()).
                    self.sessions.pop(session.id, None)
            conn.stop_writer()
            self.changed.fire()
        return ws

    async def _on_payload(self, conn: Connection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif op == 8:
            self._request_members(conn, data or {})
        # op 3 (presence) and op 4 (voice state) need no answer here.

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.emu.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identify_count += 1
        session = Session(uuid.uuid4().hex, int(data.get("intents", 0)))
        self.sessions[session.id] = session
        self._attach(conn, session)
        emu = self.emu
        session.push(
            "READY",
            {
                "v": 10,
                "user": {
                    **payloads.user(emu.bot_user),
                    "verified": True,
                    "mfa_enabled": False,
                    "email": None,
                },
                "guilds": [{"id": str(g), "unavailable": True} for g in emu.world.guilds],
                "session_id": session.id,
                "session_type": "normal",
                "resume_gateway_url": emu.gateway_url,
                "application": {"id": str(emu.application_id), "flags": emu.application_flags},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "user_settings": {},
                "_trace": ["discord-emulator"],
            },
        )
        for guild in emu.world.guilds.values():
            session.push("GUILD_CREATE", self._guild_create_payload(guild, session))
        conn.ready = True
        self.changed.fire()

    def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = int(data.get("seq") or 0)
        if (
            session is None
            or data.get("token") != self.emu.token
            or not session.can_replay_from(seq)
        ):
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        self.resume_count += 1
        old = session.conn
        self._attach(conn, session)
        if old is not None and old is not conn:
            # A resumed session lives on the new socket only; drop the stale one.
            old.session = None
            old.ready = False
            if old.request.transport is not None:
                old.request.transport.abort()
        for frame_seq, frame in session.buffer:
            if frame_seq > seq:
                conn.send(frame)
        session.push("RESUMED", {"_trace": ["discord-emulator"]})
        conn.ready = True
        self.changed.fire()

    def _attach(self, conn: Connection, session: Session) -> None:
        conn.session = session
        session.conn = conn

    def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        session = conn.session
        guild = self.emu.world.guilds.get(int(data.get("guild_id", 0)))
        if session is None or guild is None:
            return
        members = list(guild.members_by_id.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.id in wanted]
        elif data.get("query"):
            query = str(data["query"]).lower()
            members = [m for m in members if m.name.lower().startswith(query)]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk = {
            "guild_id": str(guild.id),
            "members": [payloads.member(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "presences": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)

    # -- dispatching -------------------------------------------------------------------

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        intent: int,
        *,
        message: Message | None = None,
        user_id: int | None = None,
    ) -> None:
        """Send an event to every session whose intents cover it."""
        bot_id = self.emu.bot_user.id
        self.dispatched += 1
        for session in self.sessions.values():
            # Discord still tells the bot about its own member changes.
            if intent and not session.intents & intent and user_id != bot_id:
                continue
            payload = data
            if message is not None and self._hide_content(session, message):
                payload = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
            session.push(event, payload)

    def _hide_content(self, session: Session, message: Message) -> bool:
        """Without MESSAGE_CONTENT, guild messages arrive blank unless the bot wrote them or is
        mentioned."""
        if session.intents & Intent.MESSAGE_CONTENT or message.channel.guild is None:
            return False
        bot_id = self.emu.bot_user.id
        return message.author.id != bot_id and f"<@{bot_id}>" not in message.content

    def guild_create(self, guild: Guild) -> None:
        self.dispatched += 1
        for session in self.sessions.values():
            session.push("GUILD_CREATE", self._guild_create_payload(guild, session))

    def _guild_create_payload(self, guild: Guild, session: Session) -> dict[str, Any]:
        if session.intents & Intent.GUILD_MEMBERS:
            members = list(guild.members_by_id.values())
        else:
            # Without the members intent Discord only sends the bot's own member.
            members = [guild.bot]
        return payloads.guild(guild, members=members)

    def interaction_create(self, data: dict[str, Any]) -> None:
        self.dispatched += 1
        for session in self.sessions.values():
            session.push("INTERACTION_CREATE", data)

    # -- state and fault tools -----------------------------------------------------------

    def is_connected(self) -> bool:
        return any(c.ready and c.session is not None for c in self.connections)

    async def wait_until_connected(self, timeout: float = 5.0) -> None:
        await self.changed.wait_for(
            self.is_connected,
            timeout,
            lambda: f"no client connected to the gateway within {timeout}s",
        )

    def reconnect(self) -> None:
        """Ask connected clients to reconnect and resume (op 7)."""
        for conn in list(self.connections):
            if conn.session is not None:
                conn.ready = False
                conn.send({"op": 7, "s": None, "t": None, "d": None})

    def invalidate(self, resumable: bool = False) -> None:
        """Invalidate sessions (op 9); non-resumable ones are dropped and clients IDENTIFY again."""
        for conn in list(self.connections):
            session = conn.session
            if session is None:
                continue
            conn.ready = False
            conn.send({"op": 9, "s": None, "t": None, "d": resumable})
            if not resumable:
                self.sessions.pop(session.id, None)
                session.conn = None
                conn.session = None

    def drop(self) -> None:
        """Cut every socket without a close frame, as a network failure would."""
        for conn in list(self.connections):
            conn.ready = False
            transport = conn.request.transport
            if transport is not None:
                transport.abort()

    async def close(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)
