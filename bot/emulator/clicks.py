"""Buttons, select menus and modals as a member uses them.

A click is refused where the Discord client would not offer it: someone
else's ephemeral message or DM, a channel the member cannot see, a disabled
button, a link button (which never reaches the bot), a modal already
submitted. Values are checked against the component (select options,
min/max values, required fields and lengths of modal inputs) unless
``strict=False``.
"""

from __future__ import annotations

from typing import Any

from .components import (
    LINK_STYLE,
    SELECTS,
    STRING_SELECT,
    TEXT_INPUT,
    find_button,
    find_select,
    modal_field_label,
    modal_fields,
)
from .engine import EngineCore
from .errors import EmulatorError, InvalidOptions
from .members import Member
from .messages import Message
from .options import OptionBuilder
from .permissions import VIEW_CHANNEL, channel_permissions
from .replies import COMPONENT, MODAL_SUBMIT, InteractionRecord, Reply
from .state import Channel, User


class ComponentActions(EngineCore):
    """``message.click``, ``message.select`` and ``reply.submit_modal``."""

    def _clicker(
        self, message: Message, by: Member | User | None, strict: bool = True
    ) -> tuple[User, Member | None]:
        """Who clicks, and whether they could see the message at all (unless ``strict=False``)."""
        if by is None:
            user_id = message.ephemeral_for
            if user_id is None and message.interaction_metadata is not None:
                user_id = int(message.interaction_metadata["user"]["id"])
            if user_id is None and message.channel.recipient is not None:
                user_id = message.channel.recipient.id
            if user_id is None:
                raise EmulatorError("who clicks? pass by=member for a message in a channel")
            user = self.emu.world.users[user_id]
        else:
            user = by.user if isinstance(by, Member) else by
        if message.deleted:
            raise EmulatorError(f"message {message.id} was deleted")
        if strict and message.ephemeral_for is not None and user.id != message.ephemeral_for:
            raise EmulatorError(
                f"{user.username} cannot see an ephemeral message meant for someone else"
            )
        channel = message.channel
        if channel.is_dm:
            if strict and channel.recipient is not user:
                raise EmulatorError(
                    f"{user.username} cannot see a DM between the bot and someone else"
                )
            return user, None
        assert channel.guild is not None
        member = channel.guild.members_by_id.get(user.id)
        if member is None:
            raise EmulatorError(f"{user.username} is not a member of {channel.guild.name}")
        if strict and not channel_permissions(member, channel) & VIEW_CHANNEL:
            raise EmulatorError(f"{user.username} cannot see #{channel.name}")
        return user, member

    async def click(
        self,
        message: Message,
        label: str | None,
        *,
        custom_id: str | None,
        by: Member | User | None,
        timeout: float,
        strict: bool,
    ) -> Reply:
        self._require_client()
        user, member = self._clicker(message, by, strict)
        button = find_button(message.components, label, custom_id)
        shown = label or custom_id
        if button.get("style") == LINK_STYLE:
            raise EmulatorError(
                f"button {shown!r} is a link to {button.get('url')}; "
                "clicking it never reaches the bot"
            )
        if strict and button.get("disabled"):
            raise EmulatorError(f"button {shown!r} is disabled; Discord's client cannot click it")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._component(message, user, member, data, f"click on {shown!r}", timeout)

    async def select(
        self,
        message: Message,
        target: str,
        values: list[Any],
        *,
        by: Member | User | None,
        timeout: float,
        strict: bool,
    ) -> Reply:
        self._require_client()
        user, member = self._clicker(message, by, strict)
        select = find_select(message.components, target)
        data: dict[str, Any] = {"custom_id": select["custom_id"], "component_type": select["type"]}
        data["values"], resolved = self._select_values(
            select, values, message.channel, member, strict
        )
        if resolved:
            data["resolved"] = resolved
        return await self._component(
            message, user, member, data, f"select {values!r} in {target!r}", timeout
        )

    def _select_values(
        self,
        select: dict[str, Any],
        values: list[Any],
        channel: Channel,
        member: Member | None,
        strict: bool,
    ) -> tuple[list[str], dict[str, Any]]:
        name = select.get("placeholder") or select.get("custom_id")
        if strict:
            if select.get("disabled"):
                raise InvalidOptions(f"select {name!r} is disabled")
            low, high = select.get("min_values", 1), select.get("max_values", 1)
            if not low <= len(values) <= high:
                raise InvalidOptions(
                    f"select {name!r} takes {low}..{high} values, got {len(values)}"
                )
        if select["type"] == STRING_SELECT:
            options = select.get("options") or []
            result = []
            for value in values:
                match = next(
                    (o["value"] for o in options if value in (o["value"], o.get("label"))), None
                )
                if match is None and strict:
                    raise InvalidOptions(
                        f"select {name!r} has no option {value!r}; "
                        f"options: {[o.get('label') for o in options]}"
                    )
                result.append(match if match is not None else str(value))
            return result, {}
        builder = OptionBuilder(self.emu, member, channel, strict=strict)
        kinds = {
            5: 6,
            6: 8,
            7: 9,
            8: 7,
        }  # select type -> option type with the same resolution rules
        option = {
            "name": str(name),
            "type": kinds[select["type"]],
            "channel_types": select.get("channel_types"),
        }
        result = [str(builder.entity(str(name), option, v) or v) for v in values]
        return result, builder.resolved

    async def _component(
        self,
        message: Message,
        user: User,
        member: Member | None,
        data: dict[str, Any],
        description: str,
        timeout: float,
    ) -> Reply:
        record = self._create(
            COMPONENT, user, member, message.channel, data, description, message=message
        )
        return await self._finish(record, timeout)

    async def submit_modal(
        self, opened_by: InteractionRecord, values: dict[str, Any], *, timeout: float, strict: bool
    ) -> Reply:
        modal = opened_by.modal
        if modal is None:
            raise EmulatorError(f"{opened_by.description}: the bot did not open a modal")
        if opened_by.modal_submitted:
            raise EmulatorError(
                f"the modal {modal.get('title')!r} was already submitted (Discord closes it)"
            )
        fields = modal_fields(modal)
        keyed: dict[str, Any] = {}
        for key, value in values.items():
            field = next(
                (f for f in fields if key in (f.get("custom_id"), modal_field_label(modal, f))),
                None,
            )
            if field is None:
                shown = [f"{modal_field_label(modal, f)!r} ({f.get('custom_id')})" for f in fields]
                raise InvalidOptions(
                    f"modal {modal.get('title')!r} has no field {key!r}; fields: {shown}"
                )
            keyed[field["custom_id"]] = value
        if strict:
            for field in fields:
                self._check_modal_field(modal, field, keyed.get(field["custom_id"]))
        data = {
            "custom_id": modal["custom_id"],
            "components": [_submitted(c, keyed) for c in modal.get("components", [])],
        }
        opened_by.modal_submitted = True
        record = self._create(
            MODAL_SUBMIT,
            opened_by.user,
            opened_by.member,
            opened_by.channel,
            data,
            f"submit of modal {modal.get('title')!r}",
            message=opened_by.source_message,
        )
        return await self._finish(record, timeout)

    @staticmethod
    def _check_modal_field(modal: dict[str, Any], field: dict[str, Any], value: Any) -> None:
        label = modal_field_label(modal, field) or field["custom_id"]
        if field.get("type") == TEXT_INPUT:
            text = value or ""
            if field.get("required", True) and not text:
                raise InvalidOptions(f"modal field {label!r} is required")
            low, high = field.get("min_length", 0), field.get("max_length", 4000)
            if text and not low <= len(text) <= high:
                raise InvalidOptions(
                    f"modal field {label!r} takes {low}..{high} characters, got {len(text)}"
                )
        elif field.get("type") in SELECTS and field.get("required", True) and not value:
            raise InvalidOptions(f"modal field {label!r} is required")


def _submitted(component: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A modal component as Discord sends it back on submit: same layout, values filled in."""
    kind = component.get("type")
    if kind == 1:
        return {
            "type": 1,
            "components": [_submitted(c, values) for c in component.get("components", [])],
        }
    if kind == 18:
        return {
            "type": 18,
            "id": component.get("id"),
            "component": _submitted(component.get("component") or {}, values),
        }
    custom_id = component.get("custom_id")
    if kind == TEXT_INPUT:
        return {"type": TEXT_INPUT, "custom_id": custom_id, "value": values.get(custom_id) or ""}
    if kind in SELECTS:
        chosen = values.get(custom_id) or []
        chosen = chosen if isinstance(chosen, list) else [chosen]
        return {
            "type": kind,
            "custom_id": custom_id,
            "values": [str(getattr(v, "id", v)) for v in chosen],
        }
    return {"type": kind, "id": component.get("id")}
