"""REST routes for guild scheduled events.

Creating needs CREATE_EVENTS or MANAGE_EVENTS; editing or deleting an event
needs MANAGE_EVENTS, or CREATE_EVENTS for the bot's own events. Discord's
validation applies: external events need a location and an end time, voice
and stage events a channel of that type, start times must be in the future,
and status only moves scheduled -> active -> completed or scheduled -> canceled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import payloads
from .members import Guild
from .messages import ScheduledEvent
from .permissions import CONNECT, CREATE_EVENTS, MANAGE_EVENTS, VIEW_CHANNEL, base_permissions
from .rest import ApiError, Request, invalid_form, missing_permissions, router, snowflake
from .state import ChannelType

STAGE, VOICE, EXTERNAL = 1, 2, 3
TRANSITIONS = {(1, 2), (1, 4), (2, 3)}


def _time(body: dict[str, Any], key: str) -> datetime | None:
    raw = body.get(key)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise invalid_form(key, "Invalid ISO8601 timestamp.", "DATE_TIME_TYPE_PARSE") from None
    if value.tzinfo is None:
        raise invalid_form(key, "Timestamps need a timezone.", "DATE_TIME_TYPE_PARSE")
    return value


def _event_fields(
    req: Request, guild: Guild, body: dict[str, Any], current: ScheduledEvent | None
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "name" in body or current is None:
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise invalid_form(
                "name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH"
            )
        fields["name"] = name
    if "description" in body:
        if len(body["description"] or "") > 1000:
            raise invalid_form(
                "description", "Must be 1000 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        fields["description"] = body["description"]
    if "privacy_level" in body and body["privacy_level"] != 2:
        raise invalid_form("privacy_level", "Value must be one of {2}.")
    for key, attr in (("scheduled_start_time", "start_time"), ("scheduled_end_time", "end_time")):
        if key in body:
            fields[attr] = _time(body, key)
    if "entity_type" in body:
        fields["entity_type"] = int(body["entity_type"])
    if "channel_id" in body:
        fields["channel_id"] = (
            snowflake(body["channel_id"]) if body["channel_id"] is not None else None
        )
    if "entity_metadata" in body:
        fields["location"] = (body["entity_metadata"] or {}).get("location")

    def final(attr: str) -> Any:
        return fields[attr] if attr in fields else getattr(current, attr, None)

    start, end, kind = final("start_time"), final("end_time"), final("entity_type")
    if start is None:
        raise invalid_form("scheduled_start_time", "This field is required", "BASE_TYPE_REQUIRED")
    if ("start_time" in fields or current is None) and start <= req.emu.now():
        raise invalid_form(
            "scheduled_start_time",
            "Cannot schedule event in the past.",
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
        )
    if end is not None and end <= start:
        raise invalid_form(
            "scheduled_end_time",
            "Cannot schedule event to end before starting.",
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
        )
    if kind == EXTERNAL:
        location = final("location")
        if not location or len(location) > 100:
            raise invalid_form(
                "entity_metadata.location", "This field is required", "BASE_TYPE_REQUIRED"
            )
        if end is None:
            raise invalid_form("scheduled_end_time", "This field is required", "BASE_TYPE_REQUIRED")
        if final("channel_id") is not None:
            raise invalid_form("channel_id", "Must be null for external events.")
    elif kind in (STAGE, VOICE):
        channel = guild.channels_by_id.get(final("channel_id") or 0)
        wanted = ChannelType.STAGE if kind == STAGE else ChannelType.VOICE
        if channel is None or channel.type != wanted:
            raise invalid_form("channel_id", "This field is required", "BASE_TYPE_REQUIRED")
        req.require(guild, VIEW_CHANNEL | CONNECT, channel)
    else:
        raise invalid_form("entity_type", "Value must be one of {1, 2, 3}.")
    return fields


def _require_event_perms(req: Request, guild: Guild, event: ScheduledEvent | None) -> None:
    have = base_permissions(guild.bot)
    if have & MANAGE_EVENTS:
        return
    own = event is None or event.creator_id == req.emu.bot_user.id
    if not (own and have & CREATE_EVENTS):
        raise missing_permissions(MANAGE_EVENTS)


def _event(req: Request, guild: Guild) -> ScheduledEvent:
    event = guild.events_by_id.get(snowflake(req.params["event_id"]))
    if event is None:
        raise ApiError(404, 10070, "Unknown Guild Scheduled Event")
    return event


def _event_payload(event: ScheduledEvent, req: Request) -> dict[str, Any]:
    data = payloads.scheduled_event(event)
    if req.query.get("with_user_count") not in ("true", "1", "True"):
        data.pop("user_count")
    return data


@router.route("POST", "/guilds/{guild_id}/scheduled-events")
async def create_event(req: Request) -> Any:
    guild, body = req.guild(), req.body
    _require_event_perms(req, guild, None)
    fields = _event_fields(req, guild, body, None)
    event = req.emu.world.create_event(guild, req.emu.bot_user, **fields)
    return payloads.scheduled_event(event)


@router.route("GET", "/guilds/{guild_id}/scheduled-events")
async def list_events(req: Request) -> Any:
    return [_event_payload(e, req) for e in req.guild().scheduled_events]


@router.route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def get_event(req: Request) -> Any:
    guild = req.guild()
    return _event_payload(_event(req, guild), req)


@router.route("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def edit_event(req: Request) -> Any:
    guild, body = req.guild(), req.body
    event = _event(req, guild)
    _require_event_perms(req, guild, event)
    if event.status in (3, 4):
        raise ApiError(400, 180000, "Cannot modify a finished event")
    fields = _event_fields(req, guild, {k: v for k, v in body.items() if k != "status"}, event)
    if "status" in body and int(body["status"]) != event.status:
        status = int(body["status"])
        if (event.status, status) not in TRANSITIONS:
            raise invalid_form(
                "status", f"Cannot move an event from status {event.status} to {status}."
            )
        fields["status"] = status
    req.emu.world.edit_event(event, fields)
    return payloads.scheduled_event(event)


@router.route("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def delete_event(req: Request) -> Any:
    guild = req.guild()
    event = _event(req, guild)
    _require_event_perms(req, guild, event)
    req.emu.world.delete_event(event)


@router.route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}/users")
async def event_users(req: Request) -> Any:
    guild = req.guild()
    event = _event(req, guild)
    result = []
    for user in event.subscribers:
        entry: dict[str, Any] = {
            "guild_scheduled_event_id": str(event.id),
            "user": payloads.user(user),
        }
        member = guild.members_by_id.get(user.id)
        if req.query.get("with_member") in ("true", "1", "True") and member is not None:
            entry["member"] = payloads.member(member, with_user=False)
        result.append(entry)
    return result
