"""Turning ``alice.run("/profile set", timezone=...)`` into Discord's option payload.

Walks the synced command's subcommand groups, converts Python values (and
Member/Role/Channel handles) into option values plus ``resolved`` data, and
applies the checks Discord's client makes before sending: required options,
choices, numeric ranges, string lengths, channel types. ``strict=False`` skips
those checks (values are sent as given) so tests can probe the bot's own
validation; unknown option names always fail since no client could send them.
"""

from __future__ import annotations

from typing import Any

from . import payloads
from .commands import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    USER_OPT,
)
from .errors import CommandNotFound, InvalidOptions
from .members import Member
from .messages import Attachment
from .permissions import channel_permissions
from .state import Channel, Role, User

TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER_OPT: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}
MAX_SAFE_INT = 2**53


class OptionBuilder:
    """Builds ``data.options`` and ``data.resolved`` for one command invocation."""

    def __init__(self, emu: Any, invoker: Member | None, channel: Channel, *, strict: bool) -> None:
        self.emu = emu
        self.invoker = invoker
        self.channel = channel
        self.strict = strict
        self.resolved: dict[str, dict[str, Any]] = {}

    def build(
        self,
        command: dict[str, Any],
        sub_names: list[str],
        values: dict[str, Any],
        *,
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        schema: list[dict[str, Any]] = command.get("options") or []
        chain: list[dict[str, Any]] = []
        path = f"/{command['name']}"
        for name in sub_names:
            sub = next(
                (
                    o
                    for o in schema
                    if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) and o["name"] == name
                ),
                None,
            )
            if sub is None:
                raise CommandNotFound(
                    f"{path} has no subcommand {name!r}; {self._subs_hint(path, schema)}"
                )
            chain.append(sub)
            path += f" {name}"
            schema = sub.get("options") or []
        if any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
            raise CommandNotFound(f"{path} needs a subcommand; {self._subs_hint(path, schema)}")
        options = self._leaf_options(path, schema, values, focused)
        for sub in reversed(chain):
            options = [{"type": sub["type"], "name": sub["name"], "options": options}]
        return options

    @staticmethod
    def _subs_hint(path: str, schema: list[dict[str, Any]]) -> str:
        subs = [
            f"{path} {o['name']}"
            for o in schema
            if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
        ]
        return f"choose one of {subs}" if subs else "it takes none"

    def _leaf_options(
        self, path: str, schema: list[dict[str, Any]], values: dict[str, Any], focused: str | None
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in schema}
        unknown = [name for name in values if name not in by_name]
        if unknown:
            raise InvalidOptions(
                f"{path} has no option {', '.join(map(repr, unknown))}; "
                f"its options: {list(by_name) or 'none'}"
            )
        if self.strict and focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
            if missing:
                raise InvalidOptions(
                    f"{path}: Discord requires {', '.join(missing)} before sending"
                )
        result = []
        for option in schema:  # Discord sends options in declaration order
            name = option["name"]
            if name not in values:
                continue
            raw = values[name]
            if name == focused:
                if self.strict and not option.get("autocomplete"):
                    raise InvalidOptions(f"{path}: option {name!r} has no autocomplete")
                result.append(
                    {"type": option["type"], "name": name, "value": str(raw), "focused": True}
                )
                continue
            value = self._convert(path, option, raw, check=focused is None)
            result.append({"type": option["type"], "name": name, "value": value})
        return result

    def _fail(self, path: str, option: dict[str, Any], problem: str) -> InvalidOptions:
        return InvalidOptions(
            f"{path}: Discord's client refuses {option['name']}={problem} "
            "(pass strict=False to send it anyway)"
        )

    def _convert(self, path: str, option: dict[str, Any], value: Any, *, check: bool) -> Any:
        kind = option["type"]
        entity = self.entity(path, option, value)
        if entity is not None:
            return entity
        if kind in (USER_OPT, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
            if self.strict:
                raise self._fail(
                    path, option, f"{value!r}: it takes a {TYPE_NAMES[kind]} (pass a handle)"
                )
            return value
        if not self.strict or not check:
            return value
        return self._check_scalar(path, option, value)

    def _check_scalar(self, path: str, option: dict[str, Any], value: Any) -> Any:
        kind = option["type"]
        ok = {
            STRING: isinstance(value, str),
            INTEGER: isinstance(value, int) and not isinstance(value, bool),
            NUMBER: isinstance(value, int | float) and not isinstance(value, bool),
            BOOLEAN: isinstance(value, bool),
        }.get(kind, True)
        if not ok:
            kind_name = TYPE_NAMES.get(kind, str(kind))
            article = "an" if kind_name[0] in "aeiou" else "a"
            raise self._fail(path, option, f"{value!r}: not {article} {kind_name}")
        choices = option.get("choices") or []
        if choices:
            values = [c["value"] for c in choices]
            if value not in values:
                # A member picks a choice by its name; accept the name too.
                named = [c["value"] for c in choices if c["name"] == value]
                if not named:
                    raise self._fail(path, option, f"{value!r}: not one of the choices {values}")
                value = named[0]
        if kind in (INTEGER, NUMBER):
            low = option.get("min_value", -MAX_SAFE_INT)
            high = option.get("max_value", MAX_SAFE_INT)
            if not low <= value <= high:
                raise self._fail(path, option, f"{value!r}: outside {low}..{high}")
        if kind == STRING:
            low, high = option.get("min_length", 0), option.get("max_length", 6000)
            if not low <= len(value) <= high:
                raise self._fail(path, option, f"{value!r}: length must be {low}..{high}")
        return value

    def entity(self, path: str, option: dict[str, Any], value: Any) -> str | None:
        """Value and resolved data for Member/User/Role/Channel/attachment arguments."""
        kind = option["type"]
        if isinstance(value, Member | User) and kind in (USER_OPT, MENTIONABLE):
            user = value.user if isinstance(value, Member) else value
            self.resolved.setdefault("users", {})[str(user.id)] = payloads.user(user)
            guild = self.channel.guild
            member = guild.members_by_id.get(user.id) if guild is not None else None
            if member is not None:
                data = payloads.member(member, with_user=False)
                data["permissions"] = str(channel_permissions(member, self.channel))
                self.resolved.setdefault("members", {})[str(user.id)] = data
            return str(user.id)
        if isinstance(value, Role) and kind in (ROLE, MENTIONABLE):
            self.resolved.setdefault("roles", {})[str(value.id)] = payloads.role(value)
            return str(value.id)
        if isinstance(value, Channel) and kind == CHANNEL:
            allowed = option.get("channel_types")
            if self.strict and allowed and value.type not in allowed:
                raise self._fail(
                    path, option, f"#{value.name}: channel type {value.type} not in {allowed}"
                )
            if self.strict and value.guild is not self.channel.guild:
                raise self._fail(path, option, f"#{value.name}: a channel of another server")
            self.resolved.setdefault("channels", {})[str(value.id)] = payloads.resolved_channel(
                value, self.invoker
            )
            return str(value.id)
        if kind == ATTACHMENT and (isinstance(value, Attachment) or _is_file_tuple(value)):
            attachment = value if isinstance(value, Attachment) else self._upload(value)
            self.resolved.setdefault("attachments", {})[str(attachment.id)] = payloads.attachment(
                attachment
            )
            return str(attachment.id)
        return None

    def _upload(self, value: tuple[str, bytes] | tuple[str, bytes, str]) -> Attachment:
        filename, content, *rest = value
        attachment_id = self.emu.world.snowflake()
        attachment = Attachment(
            attachment_id,
            filename,
            content,
            rest[0] if rest else None,
            url=self.emu.attachment_url(attachment_id, filename),
        )
        self.emu.attachments[attachment_id] = attachment
        return attachment


def _is_file_tuple(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) in (2, 3)
        and isinstance(value[0], str)
        and isinstance(value[1], bytes)
    )
