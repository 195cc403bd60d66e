"""ConfigService: what a moderator changes with /config, and the audit trail it leaves."""

from __future__ import annotations

import asyncio

import pytest

from bot.container import Services
from bot.errors import InvalidInput
from tests.conftest import new_guild_id

MOD = 111


async def test_new_server_gets_documented_defaults(services: Services, guild_id: int) -> None:
    cfg = await services.config.get(guild_id)
    assert cfg.streak_goal_minutes == 30
    assert cfg.timezone == "UTC"
    assert cfg.group_size == 4
    assert cfg.mentorship_response_hours == 48
    assert cfg.reminder_offsets == (1440, 60)
    assert all(cfg.modules.values())
    assert set(cfg.channels.values()) == {None}


async def test_new_server_gets_the_default_ml_taxonomy(services: Services, guild_id: int) -> None:
    names = (await services.taxonomy.get(guild_id)).names
    assert names["nlp"] == "natural language processing"
    for tag in ("machine learning", "deep learning", "computer vision", "mlops", "llms", "python"):
        assert tag in names


async def test_streak_goal_change_is_visible_and_audited(services: Services, guild_id: int) -> None:
    change = await services.config.set_streak_goal(guild_id, MOD, 45)
    assert change.changed
    assert "45 minutes" in change.summary
    assert (await services.config.get(guild_id)).streak_goal_minutes == 45
    [entry] = await services.audit.recent(guild_id)
    assert entry.actor_id == MOD
    assert entry.action == "config.streak"


async def test_setting_the_same_value_again_writes_no_audit(
    services: Services, guild_id: int
) -> None:
    await services.config.set_group_size(guild_id, MOD, 6)
    again = await services.config.set_group_size(guild_id, MOD, 6)
    assert not again.changed
    assert "already" in again.summary
    assert len(await services.audit.recent(guild_id)) == 1


@pytest.mark.parametrize("goal", [0, 4, 601, -30])
async def test_streak_goal_out_of_range_is_refused_and_nothing_written(
    services: Services, guild_id: int, goal: int
) -> None:
    with pytest.raises(InvalidInput, match="between 5 and 600"):
        await services.config.set_streak_goal(guild_id, MOD, goal)
    assert (await services.config.get(guild_id)).streak_goal_minutes == 30
    assert await services.audit.recent(guild_id) == []


async def test_unknown_timezone_suggests_the_right_one(services: Services, guild_id: int) -> None:
    with pytest.raises(
        InvalidInput, match=r'Unknown timezone "Europe/Berlln"\. Did you mean Europe/Berlin\?'
    ):
        await services.config.set_timezone(guild_id, MOD, "Europe/Berlln")
    assert (await services.config.get(guild_id)).timezone == "UTC"


async def test_timezone_is_stored_in_canonical_case(services: Services, guild_id: int) -> None:
    await services.config.set_timezone(guild_id, MOD, "america/new_york")
    assert (await services.config.get(guild_id)).timezone == "America/New_York"


async def test_channels_roles_and_categories_are_kept_per_purpose(
    services: Services, guild_id: int
) -> None:
    await services.config.set_channel(guild_id, MOD, "announcements", 501)
    await services.config.set_channel(guild_id, MOD, "mod-log", 502)
    await services.config.set_category(guild_id, MOD, "study-groups", 601)
    await services.config.set_role(guild_id, MOD, "moderator", 701)
    cfg = await services.config.get(guild_id)
    assert cfg.channels == {"announcements": 501, "milestones": None, "mod-log": 502}
    assert cfg.categories["study-groups"] == 601
    assert cfg.roles["moderator"] == 701


async def test_reminder_offsets_are_sorted_deduplicated_and_validated(
    services: Services, guild_id: int
) -> None:
    change = await services.config.set_reminder_offsets(guild_id, MOD, "60, 1440, 60, 10")
    assert (await services.config.get(guild_id)).reminder_offsets == (1440, 60, 10)
    assert "1 day, 1 h, 10 min" in change.summary
    for bad in ("", "soon", "0", "60,-5", "1,2,3,4,5,6", "99999"):
        with pytest.raises(InvalidInput):
            await services.config.set_reminder_offsets(guild_id, MOD, bad)
    assert (await services.config.get(guild_id)).reminder_offsets == (1440, 60, 10)


async def test_modules_can_be_switched_off_and_on(services: Services, guild_id: int) -> None:
    await services.config.set_module(guild_id, MOD, "events", False)
    assert not (await services.config.get(guild_id)).module_enabled("events")
    await services.config.set_module(guild_id, MOD, "events", True)
    assert (await services.config.get(guild_id)).module_enabled("events")


async def test_voice_channels_are_tracked_and_untracked(services: Services, guild_id: int) -> None:
    first = await services.config.set_voice_tracked(guild_id, MOD, 901, True)
    again = await services.config.set_voice_tracked(guild_id, MOD, 901, True)
    assert first.changed
    assert not again.changed
    assert (await services.config.get(guild_id)).tracked_voice_channels == {901}
    await services.config.set_voice_tracked(guild_id, MOD, 901, False)
    assert (await services.config.get(guild_id)).tracked_voice_channels == frozenset()
    assert [e.action for e in await services.audit.recent(guild_id)] == [
        "config.voice",
        "config.voice",
    ]


async def test_servers_never_see_each_others_settings(services: Services, guild_id: int) -> None:
    other = new_guild_id()
    await services.config.set_streak_goal(guild_id, MOD, 60)
    assert (await services.config.get(other)).streak_goal_minutes == 30
    assert await services.audit.recent(other) == []


async def test_twenty_first_contacts_at_once_create_one_settings_row(
    services: Services, guild_id: int
) -> None:
    results = await asyncio.gather(*(services.config.ensure(guild_id) for _ in range(20)))
    assert results.count(True) == 1
    taxonomy = await services.taxonomy.get(guild_id)
    assert len([i for i in taxonomy.interests if i.tag == "python"]) == 1


async def test_concurrent_changes_all_land_in_the_audit_log(
    services: Services, guild_id: int
) -> None:
    await asyncio.gather(
        services.config.set_streak_goal(guild_id, MOD, 20),
        services.config.set_group_size(guild_id, MOD, 5),
        services.config.set_response_hours(guild_id, MOD, 24),
        services.config.set_timezone(guild_id, MOD, "Asia/Tokyo"),
    )
    cfg = await services.config.get(guild_id)
    assert (
        cfg.streak_goal_minutes,
        cfg.group_size,
        cfg.mentorship_response_hours,
        cfg.timezone,
    ) == (
        20,
        5,
        24,
        "Asia/Tokyo",
    )
    assert len(await services.audit.recent(guild_id)) == 4
