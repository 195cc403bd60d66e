"""Registered application commands: bulk overwrite (sync) with Discord's validation.

Discord keeps a command's id across re-syncs when its name and type stay the
same; the emulator does too. A payload Discord would refuse (bad names, long
descriptions, required after optional options, too many choices...) gets the
same 400 50035, which discord.py turns into ``CommandSyncFailure``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .rest import invalid_form
from .util import Signal

if TYPE_CHECKING:
    from .server import DiscordEmulator

CHAT_INPUT, USER, MESSAGE = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER_OPT, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)
NAME_RE = re.compile(r"^[-_'\w]{1,32}$")


class CommandStore:
    """Global and per-guild commands as Discord stores them after a sync."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self._ids: dict[tuple[int | None, str, int], int] = {}
        self.sync_count = 0
        self.synced = Signal()

    def overwrite(
        self, guild_id: int | None, commands: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        if not isinstance(commands, list):
            raise invalid_form("_", "Expected a list of commands.")
        validate_commands(commands)
        stored = [self._store(guild_id, c) for c in commands]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.sync_count += 1
        self.synced.fire()
        return stored

    def _store(self, guild_id: int | None, command: dict[str, Any]) -> dict[str, Any]:
        kind = int(command.get("type", CHAT_INPUT))
        key = (guild_id, command["name"], kind)
        command_id = self._ids.setdefault(key, self.emu.world.snowflake())
        perms = command.get("default_member_permissions")
        stored = {
            "id": str(command_id),
            "application_id": str(self.emu.application_id),
            "version": str(self.emu.world.snowflake()),
            "type": kind,
            "name": command["name"],
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "options": command.get("options") or [],
            "default_member_permissions": None if perms is None else str(perms),
            "dm_permission": command.get("dm_permission", True),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "nsfw": bool(command.get("nsfw", False)),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def lookup(
        self, guild_id: int | None, name: str, kind: int = CHAT_INPUT
    ) -> dict[str, Any] | None:
        """Guild commands shadow global ones of the same name, as in Discord's client."""
        pools = ([self.guild_commands.get(guild_id, [])] if guild_id is not None else []) + [
            self.global_commands
        ]
        for pool in pools:
            for command in pool:
                if command["name"] == name and command["type"] == kind:
                    return command
        return None

    def paths(self, guild_id: int | None) -> list[str]:
        """Every runnable ``/command sub`` path visible in a guild (or in DMs with ``None``)."""
        commands = list(self.global_commands)
        if guild_id is not None:
            commands += self.guild_commands.get(guild_id, [])
        result: list[str] = []
        for command in commands:
            if command["type"] != CHAT_INPUT:
                continue
            result.extend(_paths(f"/{command['name']}", command.get("options") or []))
        return sorted(set(result))


def _paths(prefix: str, options: list[dict[str, Any]]) -> list[str]:
    subs = [o for o in options if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if not subs:
        return [prefix]
    result: list[str] = []
    for sub in subs:
        result.extend(_paths(f"{prefix} {sub['name']}", sub.get("options") or []))
    return result


def validate_commands(commands: list[dict[str, Any]]) -> None:
    seen: set[tuple[str, int]] = set()
    counts = {CHAT_INPUT: 0, USER: 0, MESSAGE: 0}
    for index, command in enumerate(commands):
        kind = int(command.get("type", CHAT_INPUT))
        name = str(command.get("name") or "")
        path = str(index)
        if kind == CHAT_INPUT:
            _check_name(f"{path}.name", name)
            _check_description(f"{path}.description", command.get("description"))
            _check_options(path, command.get("options") or [], depth=0)
        elif not 1 <= len(name) <= 32:
            raise invalid_form(
                f"{path}.name", "Must be between 1 and 32 in length.", "BASE_TYPE_BAD_LENGTH"
            )
        if (name, kind) in seen:
            raise invalid_form(
                f"{path}.name",
                "Application command names must be unique",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
            )
        seen.add((name, kind))
        counts[kind] = counts.get(kind, 0) + 1
    if counts[CHAT_INPUT] > 100 or counts[USER] > 5 or counts[MESSAGE] > 5:
        raise invalid_form("_", "Too many application commands.", "APPLICATION_COMMANDS_TOO_MANY")


def _check_name(path: str, name: str) -> None:
    if not NAME_RE.match(name) or name != name.lower():
        raise invalid_form(
            path, f"Command name {name!r} is invalid", "APPLICATION_COMMAND_INVALID_NAME"
        )


def _check_description(path: str, description: Any) -> None:
    if not isinstance(description, str) or not 1 <= len(description) <= 100:
        raise invalid_form(path, "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")


def _check_options(path: str, options: list[dict[str, Any]], depth: int) -> None:
    if len(options) > 25:
        raise invalid_form(
            f"{path}.options", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
        )
    kinds = {int(o.get("type", 0)) for o in options}
    nested = kinds & {SUB_COMMAND, SUB_COMMAND_GROUP}
    if nested and kinds - nested:
        raise invalid_form(
            f"{path}.options",
            "Subcommands cannot be mixed with other options.",
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        )
    names: set[str] = set()
    optional_seen = False
    for index, option in enumerate(options):
        opath = f"{path}.options.{index}"
        kind = int(option.get("type", 0))
        name = str(option.get("name") or "")
        _check_name(f"{opath}.name", name)
        _check_description(f"{opath}.description", option.get("description"))
        if name in names:
            raise invalid_form(
                f"{opath}.name",
                "Option names must be unique",
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
            )
        names.add(name)
        if kind == SUB_COMMAND_GROUP:
            if depth > 0:
                raise invalid_form(f"{opath}.type", "Groups cannot be nested.")
            if {int(o.get("type", 0)) for o in option.get("options") or []} - {SUB_COMMAND}:
                raise invalid_form(f"{opath}.options", "Groups can only hold subcommands.")
            _check_options(opath, option.get("options") or [], depth + 1)
            continue
        if kind == SUB_COMMAND:
            if depth > 1:
                raise invalid_form(f"{opath}.type", "Subcommands nest at most two levels deep.")
            _check_options(opath, option.get("options") or [], 2)
            continue
        if option.get("required"):
            if optional_seen:
                raise invalid_form(
                    f"{opath}.required",
                    "Required options must be placed before non-required options",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
        else:
            optional_seen = True
        _check_option_limits(opath, kind, option)


def _check_option_limits(path: str, kind: int, option: dict[str, Any]) -> None:
    choices = option.get("choices") or []
    if choices:
        if kind not in (STRING, INTEGER, NUMBER):
            raise invalid_form(
                f"{path}.choices", "Only string, integer and number options take choices."
            )
        if len(choices) > 25:
            raise invalid_form(
                f"{path}.choices", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        if option.get("autocomplete"):
            raise invalid_form(f"{path}.autocomplete", "Autocomplete cannot be set with choices.")
        for index, choice in enumerate(choices):
            if not 1 <= len(str(choice.get("name") or "")) <= 100:
                raise invalid_form(
                    f"{path}.choices.{index}.name", "Must be between 1 and 100 in length."
                )
    if kind not in (INTEGER, NUMBER) and ("min_value" in option or "max_value" in option):
        raise invalid_form(f"{path}.min_value", "Only numeric options take min_value/max_value.")
    if kind != STRING and ("min_length" in option or "max_length" in option):
        raise invalid_form(f"{path}.min_length", "Only string options take min_length/max_length.")
    if option.get("autocomplete") and kind not in (STRING, INTEGER, NUMBER):
        raise invalid_form(
            f"{path}.autocomplete", "Only string, integer and number options autocomplete."
        )
