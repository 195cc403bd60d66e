"""Message bodies sent by the bot: Discord's validation and attachment handling.

Used for channel messages, interaction responses, follow-ups and edits alike.
The limits are Discord's (2000 characters of content, 10 embeds of 6000
characters in total, 5 action rows of 5 buttons, unique custom_ids...), so a
message that Discord would reject is rejected here with the same 400.
"""

from __future__ import annotations

import mimetypes
import re
from typing import TYPE_CHECKING, Any

from .components import BUTTON, LINK_STYLE, PREMIUM_STYLE, SELECTS, STRING_SELECT, iter_components
from .messages import Attachment
from .rest import ApiError, UploadedFile, invalid_form, snowflake

if TYPE_CHECKING:
    from .server import DiscordEmulator

COMPONENTS_V2 = 1 << 15
ALLOWED_FLAGS = 4 | 64 | 4096 | COMPONENTS_V2  # suppress embeds, ephemeral, silent, components v2


def message_fields(body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The storable fields of a create (``partial=False``) or edit body, validated."""
    fields: dict[str, Any] = {}
    if "content" in body or not partial:
        content = body.get("content")
        fields["content"] = "" if content is None else str(content)
    if "embeds" in body or not partial:
        fields["embeds"] = list(body.get("embeds") or [])
    if "components" in body or not partial:
        fields["components"] = list(body.get("components") or [])
    if "allowed_mentions" in body:
        fields["allowed_mentions"] = body["allowed_mentions"]
    if "flags" in body and body["flags"] is not None:
        fields["flags"] = int(body["flags"]) & ALLOWED_FLAGS
    validate(fields)
    return fields


def validate(fields: dict[str, Any]) -> None:
    content = fields.get("content")
    if content is not None and len(content) > 2000:
        raise invalid_form("content", "Must be 2000 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    embeds = fields.get("embeds")
    if embeds is not None:
        _validate_embeds(embeds)
    components = fields.get("components")
    if components is not None:
        _validate_components(components, v2=bool(fields.get("flags", 0) & COMPONENTS_V2))


def require_not_empty(
    fields: dict[str, Any], attachments: list[Attachment], body: dict[str, Any]
) -> None:
    if not (
        fields.get("content")
        or fields.get("embeds")
        or fields.get("components")
        or attachments
        or body.get("sticker_ids")
        or body.get("poll")
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")


def _validate_embeds(embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > 10:
        raise invalid_form("embeds", "Must be 10 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        for key, limit in limits.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                raise invalid_form(
                    f"embeds.{i}.{key}",
                    f"Must be {limit} or fewer in length.",
                    "BASE_TYPE_MAX_LENGTH",
                )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise invalid_form(
                f"embeds.{i}.fields", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        for j, f in enumerate(fields):
            name, value = str(f.get("name") or ""), str(f.get("value") or "")
            if not name or not value:
                raise invalid_form(
                    f"embeds.{i}.fields.{j}", "This field is required", "BASE_TYPE_REQUIRED"
                )
            if len(name) > 256 or len(value) > 1024:
                raise invalid_form(
                    f"embeds.{i}.fields.{j}", "Field too long.", "BASE_TYPE_MAX_LENGTH"
                )
            total += len(name) + len(value)
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        if len(footer) > 2048 or len(author) > 256:
            raise invalid_form(f"embeds.{i}", "Footer or author too long.", "BASE_TYPE_MAX_LENGTH")
        total += len(footer) + len(author)
    if total > 6000:
        raise invalid_form(
            "embeds", "Embed size exceeds maximum size of 6000", "MAX_EMBED_SIZE_EXCEEDED"
        )


def _validate_components(components: list[dict[str, Any]], *, v2: bool) -> None:
    if not v2 and len(components) > 5:
        raise invalid_form("components", "Must be 5 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    seen: set[str] = set()
    for row_index, row in enumerate(components):
        if not v2 and row.get("type") != 1:
            raise invalid_form(
                f"components.{row_index}", "Top-level components must be action rows."
            )
        children = row.get("components") or []
        if row.get("type") == 1:
            selects = [c for c in children if c.get("type") in SELECTS]
            if len(children) > 5 or (selects and len(children) > 1) or not children:
                raise invalid_form(
                    f"components.{row_index}.components",
                    "An action row holds 1-5 buttons or one select.",
                )
    for component in iter_components(components):
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if kind == BUTTON:
            style = component.get("style")
            if len(str(component.get("label") or "")) > 80:
                raise invalid_form(
                    "components",
                    "Button label must be 80 or fewer in length.",
                    "BASE_TYPE_MAX_LENGTH",
                )
            if style == LINK_STYLE:
                if not component.get("url") or custom_id:
                    raise invalid_form("components", "Link buttons need a url and no custom_id.")
                continue
            if style == PREMIUM_STYLE:
                continue
            if not custom_id:
                raise invalid_form("components", "Buttons need a custom_id.", "BASE_TYPE_REQUIRED")
        if kind == STRING_SELECT and not 1 <= len(component.get("options") or []) <= 25:
            raise invalid_form("components", "A select needs 1-25 options.")
        if custom_id is not None:
            if len(str(custom_id)) > 100:
                raise invalid_form(
                    "components",
                    "custom_id must be 100 or fewer in length.",
                    "BASE_TYPE_MAX_LENGTH",
                )
            if custom_id in seen:
                raise invalid_form(
                    "components",
                    "Component custom id cannot be duplicated",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                )
            seen.add(custom_id)


def new_attachments(
    emu: DiscordEmulator, body: dict[str, Any], files: list[UploadedFile]
) -> list[Attachment]:
    """Attachments for uploaded ``files[n]`` parts, named by the body's ``attachments`` entries."""
    meta = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
    result: list[Attachment] = []
    for index, upload in enumerate(files):
        found = re.fullmatch(r"files\[(\d+)\]", upload.field)
        info = meta.get(found.group(1) if found else str(index), {})
        filename = str(info.get("filename") or upload.filename)
        ctype = upload.content_type
        if not ctype or ctype == "application/octet-stream":
            # Discord sniffs the type from the name; discord.py always says octet-stream.
            ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        attachment_id = emu.world.snowflake()
        result.append(
            Attachment(
                attachment_id,
                filename,
                upload.content,
                ctype,
                info.get("description"),
                url=emu.attachment_url(attachment_id, filename),
            )
        )
    return result


def merged_attachments(
    emu: DiscordEmulator,
    existing: list[Attachment],
    body: dict[str, Any],
    files: list[UploadedFile],
) -> list[Attachment]:
    """For edits: keep the attachments listed by id (all when the list is absent), add uploads."""
    added = new_attachments(emu, body, files)
    if "attachments" in body:
        keep = {
            snowflake(a["id"])
            for a in body.get("attachments") or []
            if isinstance(a, dict) and "id" in a
        }
        existing = [a for a in existing if a.id in keep]
    return existing + added
