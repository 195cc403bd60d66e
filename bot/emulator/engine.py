"""The core of interaction handling: dispatch, waiting, and reports from the client.

Every member action builds an INTERACTION_CREATE payload as Discord would
(member with resolved permissions, app_permissions, resolved option data, the
full message for component clicks), dispatches it, and waits on a future keyed
by the interaction id until the bot's callback arrives. Waiting is event
driven; a handler that raised without answering (reported by the client probe
in :mod:`bot.emulator.testing`) fails the wait at once with the logged
traceback instead of running into the timeout.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

from . import payloads
from .errors import ClientCrashed, EmulatorError, HandlerFailed, NoResponse
from .members import Member
from .messages import Message
from .permissions import DM_PERMISSIONS, channel_permissions
from .replies import InteractionRecord, Reply, _errors_hint
from .state import Channel, User

if TYPE_CHECKING:
    from .server import DiscordEmulator

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class EngineCore:
    """Interaction records by id and token, payloads, waits."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.by_id: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}

    def _require_client(self) -> None:
        if not self.emu.gateway.sessions:
            raise EmulatorError("no bot is connected to the emulator (start one with run_client)")

    def _create(
        self,
        kind: int,
        user: User,
        member: Member | None,
        channel: Channel,
        data: dict[str, Any],
        description: str,
        *,
        message: Message | None = None,
    ) -> InteractionRecord:
        loop = asyncio.get_running_loop()
        record = InteractionRecord(
            self.emu.world.snowflake(),
            f"emu-{secrets.token_urlsafe(24)}",
            kind,
            user,
            member,
            channel,
            f"{description} by {user.username}",
            loop.time(),
            loop.create_future(),
            source_message=message,
        )
        # Nobody may await a record that failed after its waiter timed out; don't warn about it.
        record.responded.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.by_id[record.id] = record
        self.by_token[record.token] = record
        self.emu.gateway.interaction_create(self._payload(record, data))
        return record

    def _payload(self, record: InteractionRecord, data: dict[str, Any]) -> dict[str, Any]:
        emu, channel = self.emu, record.channel
        payload: dict[str, Any] = {
            "id": str(record.id),
            "application_id": str(emu.application_id),
            "type": record.type,
            "token": record.token,
            "version": 1,
            "data": data,
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel_id": str(channel.id),
        }
        guild = channel.guild
        if guild is not None and record.member is not None:
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel=payloads.resolved_channel(channel, record.member),
                member={
                    **payloads.member(record.member),
                    "permissions": str(channel_permissions(record.member, channel)),
                },
                app_permissions=str(channel_permissions(guild.bot, channel)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                channel={**payloads.channel(channel), "permissions": str(DM_PERMISSIONS)},
                user=payloads.user(record.user),
                app_permissions=str(DM_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if record.source_message is not None:
            payload["message"] = payloads.message(record.source_message)
        return payload

    async def _wait(self, record: InteractionRecord, timeout: float) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(record.responded), timeout)
        except TimeoutError:
            finished = " (its handler finished without responding)" if record.handlers_done else ""
            raise NoResponse(
                f"{record.description}: the bot did not respond within {timeout}s{finished}"
                + _errors_hint(record)
            ) from None

    async def _finish(self, record: InteractionRecord, timeout: float) -> Reply:
        await self._wait(record, timeout)
        await self.emu.settle()
        return Reply(self.emu, record)

    # -- reports from the client probe ---------------------------------------------------------

    def report_error(self, interaction_id: int, text: str) -> None:
        record = self.by_id.get(interaction_id)
        if record is not None:
            record.errors.append(text)

    def handlers_finished(self, interaction_id: int, *, handled: bool) -> None:
        """Called when every task the client started for the interaction is done."""
        record = self.by_id.get(interaction_id)
        if record is None:
            return
        record.handlers_done = True
        record.changed.fire()
        if record.responded.done():
            return
        if record.errors:
            record.settle_response(
                HandlerFailed(
                    f"{record.description} failed without responding:\n" + "\n".join(record.errors)
                )
            )
        elif not handled:
            record.settle_response(
                NoResponse(
                    f"{record.description}: nothing in the bot handled it "
                    "(no command or view listening); "
                    "Discord would show 'This interaction failed'"
                )
            )

    def client_crashed(self, error: BaseException) -> None:
        for record in self.by_id.values():
            record.settle_response(
                ClientCrashed(
                    f"the bot's client crashed while {record.description} waited: {error!r}"
                )
            )
