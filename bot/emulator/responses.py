"""The bot's side of interactions: callbacks, follow-ups, and edits of responses.

Faithful details: the callback must come within 3 seconds (else 404 10062
Unknown interaction) and only once (400 40060); callback types must fit the
interaction (8 only for autocomplete, 6/7 only for components and modals);
with ``with_response`` the callback answers with the interaction and the
created message, whose id later clicks carry. The first follow-up after a
"thinking" defer replaces the loading message (keeping its ephemerality,
whatever the follow-up asked for), as Discord does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from . import payloads
from .messagebody import merged_attachments, message_fields, new_attachments, require_not_empty
from .messages import Attachment, Message
from .replies import AUTOCOMPLETE, COMMAND, COMPONENT, MODAL_SUBMIT, InteractionRecord
from .rest import ApiError, Request, invalid_form, router, snowflake

TOKEN_LIFETIME = 15 * 60
ALLOWED_CALLBACKS = {
    COMMAND: {4, 5, 9},
    COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}
EPHEMERAL, LOADING = 64, 128


def _record(req: Request) -> InteractionRecord:
    record = req.emu.interactions.by_id.get(snowflake(req.params["interaction_id"]))
    if record is None or record.token != req.params["token"]:
        raise ApiError(404, 10062, "Unknown interaction")
    return record


def _webhook_record(req: Request) -> InteractionRecord:
    record = req.emu.interactions.by_token.get(req.params["token"])
    if (
        record is None
        or snowflake(req.params["app_id"]) != req.emu.application_id
        or record.response_type is None
    ):
        # Follow-ups before the interaction was acknowledged hit an unknown webhook.
        raise ApiError(404, 10015, "Unknown Webhook")
    if asyncio.get_running_loop().time() - record.created > TOKEN_LIFETIME:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    return record


def _post(
    req: Request,
    record: InteractionRecord,
    fields: dict[str, Any],
    attachments: list[Attachment],
    flags: int,
    *,
    original: bool = True,
) -> Message:
    emu = req.emu
    metadata: dict[str, Any] = {
        "id": str(record.id),
        "type": record.type,
        "user": payloads.user(record.user),
        "authorizing_integration_owners": {
            "0": str(record.channel.guild.id) if record.channel.guild else "0"
        },
    }
    if record.command_name is not None:
        metadata["name"] = record.command_name
    if record.source_message is not None:
        metadata["interacted_message_id"] = str(record.source_message.id)
    fields = {k: v for k, v in fields.items() if k != "flags"}
    return emu.world.post_message(
        record.channel,
        emu.bot_user,
        attachments=attachments,
        flags=flags,
        type=20 if original and record.type == COMMAND else 0,
        webhook_id=emu.application_id,
        interaction_metadata=metadata,
        ephemeral_for=record.user.id if flags & EPHEMERAL else None,
        **fields,
    )


@router.route("POST", "/interactions/{interaction_id}/{token}/callback", auth=False)
async def callback(req: Request) -> Any:
    record = _record(req)
    emu = req.emu
    if asyncio.get_running_loop().time() - record.created > emu.interaction_ack_timeout:
        raise ApiError(404, 10062, "Unknown interaction")
    if record.response_type is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    kind = int(req.body.get("type") or 0)
    data = req.body.get("data") or {}
    if kind not in ALLOWED_CALLBACKS[record.type] or (
        kind in (6, 7) and record.source_message is None
    ):
        raise invalid_form(
            "type", f"Callback type {kind} is not valid for interaction type {record.type}."
        )
    if kind == 4:
        fields = message_fields(data, partial=False)
        attachments = new_attachments(emu, data, req.files)
        require_not_empty(fields, attachments, data)
        record.original = _post(req, record, fields, attachments, fields.get("flags", 0))
    elif kind == 5:
        flags = (int(data.get("flags") or 0) & EPHEMERAL) | LOADING
        record.original = _post(req, record, {"content": ""}, [], flags)
    elif kind == 6:
        record.original = record.source_message
    elif kind == 7:
        assert record.source_message is not None
        fields = message_fields(data, partial=True)
        fields["flags"] = record.source_message.flags
        if req.files or "attachments" in data:
            fields["attachments"] = merged_attachments(
                emu, record.source_message.attachments, data, req.files
            )
        emu.world.edit_message(record.source_message, fields)
        record.original = record.source_message
    elif kind == 8:
        record.choices = _choices(data)
    elif kind == 9:
        record.modal = _modal(data)
    record.response_type = kind
    record.settle_response()
    original = record.original
    body: dict[str, Any] = {
        "interaction": {
            "id": str(record.id),
            "type": record.type,
            "response_message_id": str(original.id) if original is not None else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(original is not None and original.ephemeral),
        }
    }
    if original is not None and kind in (4, 5, 7):
        body["resource"] = {"type": kind, "message": payloads.message(original)}
    return body


def _choices(data: dict[str, Any]) -> list[dict[str, Any]]:
    choices = data.get("choices")
    if not isinstance(choices, list) or len(choices) > 25:
        raise invalid_form("data.choices", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    for index, choice in enumerate(choices):
        if not 1 <= len(str(choice.get("name") or "")) <= 100 or "value" not in choice:
            raise invalid_form(
                f"data.choices.{index}", "A choice needs a name (1-100) and a value."
            )
    return choices


def _modal(data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("custom_id") or not 1 <= len(str(data.get("title") or "")) <= 45:
        raise invalid_form(
            "data.title", "A modal needs a custom_id and a title of 1-45 characters."
        )
    if not 1 <= len(data.get("components") or []) <= 5:
        raise invalid_form("data.components", "A modal holds 1-5 components.")
    return data


@router.route("POST", "/webhooks/{app_id}/{token}", auth=False)
async def followup(req: Request) -> Any:
    record = _webhook_record(req)
    fields = message_fields(req.body, partial=False)
    attachments = new_attachments(req.emu, req.body, req.files)
    require_not_empty(fields, attachments, req.body)
    original = record.original
    if (
        record.response_type == 5
        and original is not None
        and original.loading
        and not original.deleted
    ):
        fields.pop("flags", None)
        req.emu.world.edit_message(
            original, {**fields, "attachments": attachments, "flags": original.flags & ~LOADING}
        )
        message = original
    else:
        message = _post(req, record, fields, attachments, fields.get("flags", 0), original=False)
    record.followups.append(message)
    record.final = True
    record.changed.fire()
    if req.query.get("wait") in ("true", "True", "1"):
        return payloads.message(message)
    return None


def _webhook_message(req: Request, record: InteractionRecord) -> Message:
    raw = req.params["message_id"]
    if raw == "@original":
        message = record.original
    else:
        found = req.emu.world.messages.get(snowflake(raw))
        message = (
            found
            if found is not None and (found is record.original or found in record.followups)
            else None
        )
    if message is None or message.deleted:
        raise ApiError(404, 10008, "Unknown Message")
    return message


@router.route("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", auth=False)
async def get_response(req: Request) -> Any:
    record = _webhook_record(req)
    return payloads.message(_webhook_message(req, record))


@router.route("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", auth=False)
async def edit_response(req: Request) -> Any:
    record = _webhook_record(req)
    message = _webhook_message(req, record)
    fields = message_fields(req.body, partial=True)
    fields["flags"] = (
        message.flags & ~LOADING
    )  # editing ends "thinking"; ephemerality cannot change
    if req.files or "attachments" in req.body:
        fields["attachments"] = merged_attachments(
            req.emu, message.attachments, req.body, req.files
        )
    req.emu.world.edit_message(message, fields)
    if message is record.original:
        record.final = True
    record.changed.fire()
    return payloads.message(message)


@router.route("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", auth=False)
async def delete_response(req: Request) -> Any:
    record = _webhook_record(req)
    message = _webhook_message(req, record)
    req.emu.world.delete_message(message)
    record.changed.fire()
