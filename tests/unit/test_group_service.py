"""Study groups as the services see them: create, join, leave, archive, the pool, formation.

Role and channel ids are plain numbers here; the Discord side is covered end to end.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.container import Services
from bot.errors import Conflict, InvalidInput, ModuleDisabled, NotFound, PermissionDenied
from bot.models import GroupPair, GroupPoolEntry, StudyGroup

MOD = 111
CATEGORY = 900
_ids = itertools.count(5000)


async def _setup(services: Services, guild_id: int) -> None:
    await services.config.set_category(guild_id, MOD, "study-groups", CATEGORY)


async def _create(
    services: Services, guild_id: int, creator: int, name: str = "Transformers Club", **kw: object
) -> int:
    draft = await services.groups.prepare_create(guild_id, name, kw.pop("topic", "nlp"), **kw)  # type: ignore[arg-type]
    info = await services.groups.create(draft, creator, next(_ids), next(_ids))
    return info.id


async def _count_groups(services: Services, guild_id: int) -> int:
    async with services.db.read() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(StudyGroup).where(StudyGroup.guild_id == guild_id)
            )
            or 0
        )


async def test_group_create_checks_everything_and_makes_the_creator_a_member(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    draft = await services.groups.prepare_create(guild_id, "  Transformers   Club ", "NLP")
    assert (draft.name, draft.topic, draft.capacity) == (
        "Transformers Club",
        "natural language processing",
        4,
    )
    assert draft.category_id == CATEGORY
    info = await services.groups.create(draft, 1, 10, 20)
    assert info.member_ids == (1,)
    assert (info.role_id, info.channel_id) == (10, 20)


@pytest.mark.parametrize(
    ("name", "topic", "capacity", "error", "says"),
    [
        ("ab", "nlp", None, InvalidInput, "too short"),
        ("x" * 51, "nlp", None, InvalidInput, "the limit is 50"),
        ("Hey <@123>", "nlp", None, InvalidInput, "mentions"),
        ("@everyone study", "nlp", None, InvalidInput, "mentions"),
        ("!!!", "nlp", None, InvalidInput, "letter or digit"),
        ("archived-notes", "nlp", None, InvalidInput, "can't start with"),
        ("Good Name", "nlpp", None, InvalidInput, "Did you mean nlp"),
        ("Good Name", "nlp, python", None, InvalidInput, "one topic"),
        ("Good Name", "nlp", 1, InvalidInput, "between 2 and 25"),
        ("Good Name", "nlp", 26, InvalidInput, "between 2 and 25"),
    ],
)
async def test_group_create_refuses_bad_input_and_writes_nothing(
    services: Services,
    guild_id: int,
    name: str,
    topic: str,
    capacity: int | None,
    error: type[Exception],
    says: str,
) -> None:
    await _setup(services, guild_id)
    with pytest.raises(error, match=says):
        await services.groups.prepare_create(guild_id, name, topic, capacity)
    assert await _count_groups(services, guild_id) == 0


async def test_group_names_are_unique_per_server_ignoring_case(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await _create(services, guild_id, 1)
    with pytest.raises(Conflict, match="already has a group named"):
        await services.groups.prepare_create(guild_id, "transformers CLUB", "nlp")
    # Even if two creates pass the check at once, the database keeps one.
    draft = await services.groups.prepare_create(guild_id, "Other", "nlp")
    racing = draft.__class__(guild_id, "TRANSFORMERS club", "nlp", 4, CATEGORY)
    with pytest.raises(Conflict):
        await services.groups.create(racing, 2, 1, 2)
    assert await _count_groups(services, guild_id) == 1


async def test_group_create_needs_a_category_and_the_module(
    services: Services, guild_id: int
) -> None:
    with pytest.raises(InvalidInput, match="/config category"):
        await services.groups.prepare_create(guild_id, "Good Name", "nlp")
    await _setup(services, guild_id)
    await services.config.set_module(guild_id, MOD, "groups", False)
    with pytest.raises(ModuleDisabled, match="/config module"):
        await services.groups.prepare_create(guild_id, "Good Name", "nlp")


async def test_join_and_leave_change_membership_and_refuse_what_makes_no_sense(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await _create(services, guild_id, 1, capacity=2)
    joined = await services.groups.join(guild_id, 2, "transformers club")
    assert joined.member_ids == (1, 2)
    with pytest.raises(Conflict, match="already in"):
        await services.groups.join(guild_id, 2, "Transformers Club")
    with pytest.raises(Conflict, match=r"is full \(2/2\)"):
        await services.groups.join(guild_id, 3, "Transformers Club")
    with pytest.raises(Conflict, match="not in"):
        await services.groups.leave(guild_id, 3, "Transformers Club")
    left = await services.groups.leave(guild_id, 2, "Transformers Club")
    assert left.member_ids == (1,)
    with pytest.raises(NotFound, match='Did you mean "Transformers Club"'):
        await services.groups.join(guild_id, 3, "Transformer Club")


async def test_twenty_members_joining_five_seats_at_once_leave_exactly_five(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await _create(services, guild_id, 1, capacity=5)
    results = await asyncio.gather(
        *(services.groups.join(guild_id, 100 + i, "Transformers Club") for i in range(20)),
        return_exceptions=True,
    )
    joined = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(joined) == 4  # the creator holds the fifth seat
    assert all(isinstance(r, Conflict) and "full" in r.message for r in refused)
    info = await services.groups.info(guild_id, "Transformers Club")
    assert len(info.member_ids) == 5


async def test_archive_is_for_moderators_or_the_creator_and_frees_the_name(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await _create(services, guild_id, 1)
    await services.groups.join(guild_id, 2, "Transformers Club")
    with pytest.raises(PermissionDenied, match="Only moderators or the member who created"):
        await services.groups.check_archive(guild_id, 2, "Transformers Club", is_moderator=False)
    info = await services.groups.check_archive(guild_id, 1, "Transformers Club", is_moderator=False)
    archived = await services.groups.archive(guild_id, info.id)
    assert archived.status == "archived"
    with pytest.raises(Conflict, match="has been archived"):
        await services.groups.join(guild_id, 3, "Transformers Club")
    assert await services.groups.list_groups(guild_id) == []
    await _create(services, guild_id, 3)  # the name is free again
    with pytest.raises(Conflict, match="just archived"):
        await services.groups.archive(guild_id, info.id)


async def test_group_list_shows_members_time_zones_and_filters_by_topic(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await services.profiles.set(guild_id, 1, timezone="Asia/Tokyo")
    await _create(services, guild_id, 1)
    await _create(services, guild_id, 2, "Pixel Pushers", topic="cv")
    await services.groups.join(guild_id, 3, "Transformers Club")
    listed = await services.groups.list_groups(guild_id)
    assert [g.group.name for g in listed] == ["Pixel Pushers", "Transformers Club"]
    assert set(listed[1].timezones) == {"Asia/Tokyo", "UTC"}
    only_cv = await services.groups.list_groups(guild_id, "computer vision")
    assert [g.group.name for g in only_cv] == ["Pixel Pushers"]
    assert await services.groups.autocomplete(guild_id, "pix") == ["Pixel Pushers"]


async def test_group_find_needs_a_profile_with_interests(services: Services, guild_id: int) -> None:
    with pytest.raises(InvalidInput, match="/profile set interests:"):
        await services.formation.enter_pool(guild_id, 1)
    await services.profiles.set(guild_id, 1, interests="nlp")
    entry = await services.formation.enter_pool(guild_id, 1)
    assert (entry.already, entry.pool_size) == (False, 1)
    again = await services.formation.enter_pool(guild_id, 1)
    assert (again.already, again.pool_size) == (True, 1)


async def _pool(services: Services, guild_id: int, people: dict[int, str]) -> None:
    for uid, interests in people.items():
        await services.profiles.set(guild_id, uid, interests=interests, timezone="Europe/Berlin")
        await services.formation.enter_pool(guild_id, uid)


async def test_formation_proposes_then_creates_groups_once_and_empties_the_pool(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await services.config.set_group_size(guild_id, MOD, 2)
    await _pool(services, guild_id, {1: "nlp, python", 2: "nlp, python", 3: "cv", 4: "cv, python"})
    proposal = await services.formation.propose(guild_id, MOD)
    assert sorted(sorted(g.member_ids) for g in proposal.groups) == [[1, 2], [3, 4]]
    nlp = next(g for g in proposal.groups if 1 in g.member_ids)
    assert "natural language processing" in nlp.explanation
    assert await _count_groups(services, guild_id) == 0  # a preview changes nothing

    claim = await services.formation.claim(guild_id, proposal.id)
    assert {g.name for g in claim.groups} == {
        "natural language processing group 1",
        "computer vision group 1",
    }
    with pytest.raises(Conflict, match="already created"):
        await services.formation.claim(guild_id, proposal.id)
    for plan in claim.groups:
        info = await services.formation.commit_group(guild_id, plan, next(_ids), next(_ids))
        assert info.formed
        assert info.explanation == plan.explanation
    assert await services.formation.pool(guild_id) == []
    async with services.db.read() as session:
        pairs = set(
            await session.execute(
                select(GroupPair.user_a, GroupPair.user_b).where(GroupPair.guild_id == guild_id)
            )
        )
    assert pairs == {(1, 2), (3, 4)}


async def test_formation_splits_people_who_were_grouped_before_when_it_costs_nothing(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await services.config.set_group_size(guild_id, MOD, 2)
    everyone = {1: "nlp", 2: "nlp", 3: "nlp", 4: "nlp"}
    await _pool(services, guild_id, everyone)
    first = await services.formation.propose(guild_id, MOD)
    claim = await services.formation.claim(guild_id, first.id)
    for plan in claim.groups:
        await services.formation.commit_group(guild_id, plan, next(_ids), next(_ids))
    before = {frozenset(g.member_ids) for g in first.groups}
    for uid in everyone:
        await services.formation.enter_pool(guild_id, uid)
    second = await services.formation.propose(guild_id, MOD)
    assert not before & {frozenset(g.member_ids) for g in second.groups}


async def test_formation_skips_members_who_left_the_pool_and_needs_two(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    with pytest.raises(Conflict, match="at least 2"):
        await services.formation.propose(guild_id, MOD)
    await services.config.set_group_size(guild_id, MOD, 2)
    await _pool(services, guild_id, {1: "nlp", 2: "nlp", 3: "cv", 4: "cv"})
    proposal = await services.formation.propose(guild_id, MOD)
    await services.privacy.erase(guild_id, 3)  # 3 leaves the server's records (and the pool)
    claim = await services.formation.claim(guild_id, proposal.id)
    assert claim.skipped == 1
    assert [sorted(g.member_ids) for g in claim.groups] == [[1, 2]]
    await services.formation.commit_group(guild_id, claim.groups[0], next(_ids), next(_ids))
    async with services.db.read() as session:
        left = await session.scalars(
            select(GroupPoolEntry.user_id).where(GroupPoolEntry.guild_id == guild_id)
        )
        assert list(left) == [4]


async def test_privacy_erase_removes_memberships_and_keeps_the_group(
    services: Services, guild_id: int
) -> None:
    await _setup(services, guild_id)
    await _create(services, guild_id, 1)
    await services.groups.join(guild_id, 2, "Transformers Club")
    assert await services.groups.role_ids_of(guild_id, 1)
    exported = await services.privacy.export(guild_id, 1)
    assert {"study_groups", "group_members"} <= set(exported)
    await services.privacy.erase(guild_id, 1)
    info = await services.groups.info(guild_id, "Transformers Club")
    assert info.member_ids == (2,)
    assert info.creator_id is None
    assert await services.privacy.export(guild_id, 1) == {}


async def test_weekly_formation_is_due_a_week_after_it_is_turned_on_and_claimed_once(
    services: Services, guild_id: int, clock: FrozenClock
) -> None:
    assert await services.formation.due_scheduled([guild_id]) == []
    change = await services.config.set_group_size(guild_id, MOD, 3, "weekly")
    assert "every week, the first in 7 days" in change.summary
    assert (await services.config.get(guild_id)).group_form_schedule == "weekly"
    assert await services.formation.due_scheduled([guild_id]) == []
    clock.advance(timedelta(days=7))
    assert await services.formation.due_scheduled([guild_id]) == [guild_id]
    claims = await asyncio.gather(*(services.formation.claim_scheduled(guild_id) for _ in range(5)))
    assert sorted(claims) == [False, False, False, False, True]
    assert await services.formation.due_scheduled([guild_id]) == []
    await services.config.set_group_size(guild_id, MOD, 3, "off")
    clock.advance(timedelta(days=30))
    assert await services.formation.due_scheduled([guild_id]) == []


async def test_an_unknown_schedule_is_refused(services: Services, guild_id: int) -> None:
    with pytest.raises(InvalidInput, match="Choose one of: off, weekly"):
        await services.config.set_group_size(guild_id, MOD, 3, "daily")
    assert (await services.config.get(guild_id)).group_form_schedule == "off"
