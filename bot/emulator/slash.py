"""Slash commands and autocomplete as a member runs them.

Finds the synced command (guild commands shadow global ones), refuses what
Discord's client would not offer (unknown paths, commands hidden by
``default_member_permissions`` or by their contexts, channels the member
cannot see), builds the options, and waits for the bot's answer.
"""

from __future__ import annotations

from typing import Any

from .commands import CHAT_INPUT
from .engine import EngineCore
from .errors import CommandNotFound, CommandUnavailable, EmulatorError
from .members import Member
from .options import OptionBuilder
from .permissions import ADMINISTRATOR, VIEW_CHANNEL, base_permissions, channel_permissions, names
from .replies import AUTOCOMPLETE, COMMAND, Reply
from .state import Channel

USE_APPLICATION_COMMANDS = 1 << 31


class SlashCommands(EngineCore):
    """``member.run`` and ``member.autocomplete``."""

    def _resolve(
        self, member: Member, path: str, channel: Channel | None, in_dm: bool, enforce: bool | None
    ) -> tuple[dict[str, Any], list[str], Channel]:
        emu = self.emu
        if not emu.gateway.sessions:
            raise EmulatorError("no bot is connected to the emulator (start one with run_client)")
        names_ = path.strip().lstrip("/").split()
        if not names_:
            raise CommandNotFound(f"{path!r} is not a command path like '/profile set'")
        guild = None if in_dm else member.guild
        if in_dm:
            channel = emu.world.open_dm(member.user)
        else:
            channel = channel or member.guild.general
            if channel.guild is not member.guild:
                raise EmulatorError(f"#{channel.name} is not in {member.guild.name}")
        command = emu.commands.lookup(guild.id if guild else None, names_[0], CHAT_INPUT)
        where = "in DMs" if in_dm else f"in {member.guild.name}"
        if command is None:
            synced = emu.commands.paths(guild.id if guild else None)
            raise CommandNotFound(
                f"/{names_[0]} is not a synced command {where}; synced: {synced or 'none'}"
            )
        contexts = command.get("contexts")
        if in_dm:
            allowed = ("guild_id" not in command) and (
                1 in contexts if contexts else command.get("dm_permission", True)
            )
        else:
            allowed = contexts is None or 0 in contexts
        if not allowed:
            raise CommandUnavailable(f"/{command['name']} is not available {where}")
        if guild is not None:
            self._check_member_can_use(
                member,
                command,
                channel,
                emu.enforce_default_permissions if enforce is None else enforce,
            )
        return command, names_[1:], channel

    def _check_member_can_use(
        self, member: Member, command: dict[str, Any], channel: Channel, enforce: bool
    ) -> None:
        perms = channel_permissions(member, channel)
        if not perms & VIEW_CHANNEL:
            raise EmulatorError(
                f"{member.name} cannot see #{channel.name}, so cannot run commands there"
            )
        if not enforce:
            return
        if not perms & USE_APPLICATION_COMMANDS:
            raise CommandUnavailable(
                f"{member.name} lacks USE_APPLICATION_COMMANDS in #{channel.name}"
            )
        raw = command.get("default_member_permissions")
        if raw is None:
            return
        needed, have = int(raw), base_permissions(member)
        if have & ADMINISTRATOR or member.id == member.guild.owner_id:
            return
        if needed == 0 or have & needed != needed:
            what = (
                "administrators only"
                if needed == 0
                else "requires " + ", ".join(names(needed & ~have))
            )
            raise CommandUnavailable(
                f"Discord hides /{command['name']} from {member.name} "
                f"(default_member_permissions={raw}: {what}); "
                "pass enforce_permissions=False to run it anyway"
            )

    async def run_command(
        self,
        member: Member,
        path: str,
        options: dict[str, Any],
        *,
        channel: Channel | None,
        in_dm: bool,
        strict: bool,
        enforce_permissions: bool | None,
        timeout: float,
    ) -> Reply:
        command, subs, channel = self._resolve(member, path, channel, in_dm, enforce_permissions)
        invoker = None if in_dm else member
        builder = OptionBuilder(self.emu, invoker, channel, strict=strict)
        data = self._command_data(command, builder.build(command, subs, options), builder.resolved)
        description = "/" + " ".join([command["name"], *subs])
        record = self._create(COMMAND, member.user, invoker, channel, data, description)
        record.command_name = command["name"]
        return await self._finish(record, timeout)

    async def autocomplete(
        self,
        member: Member,
        path: str,
        option: str,
        value: Any,
        options: dict[str, Any],
        *,
        channel: Channel | None,
        in_dm: bool,
        timeout: float,
    ) -> list[dict[str, Any]]:
        command, subs, channel = self._resolve(member, path, channel, in_dm, None)
        invoker = None if in_dm else member
        builder = OptionBuilder(self.emu, invoker, channel, strict=True)
        built = builder.build(command, subs, {**options, option: value}, focused=option)
        data = self._command_data(command, built, builder.resolved)
        description = (
            "/" + " ".join([command["name"], *subs]) + f" (autocomplete {option}={value!r})"
        )
        record = self._create(AUTOCOMPLETE, member.user, invoker, channel, data, description)
        await self._wait(record, timeout)
        if record.response_type != 8 or record.choices is None:
            raise EmulatorError(
                f"{description}: the bot answered with type {record.response_type}, not choices"
            )
        return record.choices

    @staticmethod
    def _command_data(
        command: dict[str, Any], options: list[dict[str, Any]], resolved: dict[str, Any]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": CHAT_INPUT,
            "options": options,
        }
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data
