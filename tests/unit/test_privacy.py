"""Privacy export and erase cover every table that names a member, and nothing else."""

from __future__ import annotations

import re

from sqlalchemy import BigInteger

from bot.container import Services
from bot.models import Base
from bot.models.base import MEMBER_INFO_KEY
from bot.services.privacy import member_tables
from tests.conftest import new_guild_id

# Column names that hold a Discord user id. A new feature that names its column like this
# but forgets member_column() fails test_every_user_column_is_declared_as_member_data.
USER_COLUMN = re.compile(r"(^|_)(user|member|mentor|mentee|actor|author|creator|owner|host)(_id)?$")


def test_every_user_column_is_declared_as_member_data() -> None:
    undeclared = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if USER_COLUMN.search(column.name) and MEMBER_INFO_KEY not in column.info
    ]
    assert undeclared == [], f"declare these with member_column(): {undeclared}"


def test_member_columns_are_big_integers_and_anonymized_ones_nullable() -> None:
    for spec in member_tables():
        for column in spec.delete_columns + spec.anonymize_columns:
            assert isinstance(column.type, BigInteger), f"{spec.table.name}.{column.name}"
        for column in spec.anonymize_columns:
            assert column.nullable, f"{spec.table.name}.{column.name} must be nullable"


def test_every_table_is_scoped_by_guild() -> None:
    missing = [t.name for t in Base.metadata.sorted_tables if "guild_id" not in t.columns]
    assert missing == []


def test_privacy_covers_every_table_that_names_a_member() -> None:
    covered = {spec.table.name for spec in member_tables()}
    naming = {
        t.name
        for t in Base.metadata.sorted_tables
        if any(MEMBER_INFO_KEY in c.info for c in t.columns)
    }
    assert covered == naming
    assert {"member_profiles", "member_interests", "audit_log"} <= covered


async def test_export_contains_profile_interests_and_audit(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice, bob, _ = user_ids
    await services.profiles.set(guild_id, alice, interests="nlp, python", timezone="Europe/Berlin")
    await services.config.set_group_size(guild_id, alice, 5)  # alice is a moderator here
    await services.profiles.set(guild_id, bob, interests="kaggle")
    data = await services.privacy.export(guild_id, alice)
    assert data["member_profiles"][0]["timezone"] == "Europe/Berlin"
    assert len(data["member_interests"]) == 2
    assert [row["action"] for row in data["audit_log"]] == ["config.groups"]
    assert all(str(row["user_id"]) == str(alice) for row in data["member_interests"])


async def test_erase_removes_the_member_and_keeps_others(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice, bob, _ = user_ids
    other_guild = new_guild_id()
    await services.profiles.set(guild_id, alice, interests="nlp", level="beginner")
    await services.profiles.set(other_guild, alice, interests="python")
    await services.profiles.set(guild_id, bob, interests="nlp")
    await services.config.set_streak_goal(guild_id, alice, 40)

    report = await services.privacy.erase(guild_id, alice)

    assert report.deleted == {"member_interests": 1, "member_profiles": 1}
    assert report.anonymized == {"audit_log.actor_id": 1}
    assert await services.privacy.export(guild_id, alice) == {}
    assert (await services.profiles.get(guild_id, alice)).is_empty
    # the moderator's change stays in the log, without their name
    [entry] = await services.audit.recent(guild_id)
    assert entry.actor_id is None
    assert entry.action == "config.streak"
    # bob, and alice in another server, are untouched
    assert (await services.profiles.get(guild_id, bob)).interests == (
        "natural language processing",
    )
    assert (await services.profiles.get(other_guild, alice)).interests == ("python",)


async def test_erase_of_someone_unknown_reports_nothing(services: Services, guild_id: int) -> None:
    report = await services.privacy.erase(guild_id, 42)
    assert report.total == 0


async def test_erase_scrubs_the_member_from_audit_text(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice, moderator, _ = user_ids
    today = services.clock.now().date().isoformat()
    await services.streaks.adjust(guild_id, moderator, alice, today, 30, "studied offline")
    [before] = await services.audit.recent(guild_id)
    assert f"<@{alice}>" in before.summary

    report = await services.privacy.erase(guild_id, alice)

    [after] = await services.audit.recent(guild_id)
    assert str(alice) not in after.summary
    assert "@former member" in after.summary
    assert after.target_user_id is None
    assert after.actor_id == moderator  # the moderator's own record is untouched
    assert report.anonymized["audit_log.summary"] == 1
