"""The interest taxonomy and member profiles, as moderators and members use them."""

from __future__ import annotations

import asyncio

import pytest

from bot.container import Services
from bot.errors import Conflict, InvalidInput, NotFound

MOD = 111


async def test_moderator_adds_an_interest_with_aliases(services: Services, guild_id: int) -> None:
    change = await services.taxonomy.add(guild_id, MOD, "PyTorch", "torch, pt")
    assert "pytorch" in change.summary
    names = (await services.taxonomy.get(guild_id)).names
    assert names["torch"] == names["pt"] == "pytorch"


async def test_adding_an_existing_interest_is_a_clear_conflict(
    services: Services, guild_id: int
) -> None:
    with pytest.raises(Conflict, match="already an interest"):
        await services.taxonomy.add(guild_id, MOD, "python")
    with pytest.raises(Conflict, match="already an alias"):
        await services.taxonomy.add(guild_id, MOD, "NLP")
    with pytest.raises(Conflict, match="belong to other interests"):
        await services.taxonomy.add(guild_id, MOD, "transformers", "llm")


async def test_new_aliases_can_be_added_to_an_existing_interest(
    services: Services, guild_id: int
) -> None:
    await services.taxonomy.add(guild_id, MOD, "python", "python3")
    assert (await services.taxonomy.get(guild_id)).names["python3"] == "python"


@pytest.mark.parametrize("tag", ["", "   ", "x" * 51, "<@123>", "@everyone", "**bold**"])
async def test_bad_interest_names_are_refused(services: Services, guild_id: int, tag: str) -> None:
    before = await services.taxonomy.get(guild_id)
    with pytest.raises(InvalidInput):
        await services.taxonomy.add(guild_id, MOD, tag)
    assert await services.taxonomy.get(guild_id) == before
    assert await services.audit.recent(guild_id) == []


async def test_same_interest_added_twice_at_once_exists_once(
    services: Services, guild_id: int
) -> None:
    results = await asyncio.gather(
        services.taxonomy.add(guild_id, MOD, "jax"),
        services.taxonomy.add(guild_id, MOD, "jax"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    tags = [i.tag for i in (await services.taxonomy.get(guild_id)).interests]
    assert tags.count("jax") == 1


async def test_removing_an_interest_takes_it_off_profiles(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice, bob, _ = user_ids
    await services.profiles.set(guild_id, alice, interests="kaggle, python")
    await services.profiles.set(guild_id, bob, interests="kaggle")
    change = await services.taxonomy.remove(guild_id, MOD, "competitions")  # an alias names it too
    assert "kaggle" in change.summary
    assert "2 member profiles" in change.summary
    assert (await services.profiles.get(guild_id, alice)).interests == ("python",)


async def test_removing_an_unknown_interest_suggests_one(services: Services, guild_id: int) -> None:
    with pytest.raises(NotFound, match="Did you mean python"):
        await services.taxonomy.remove(guild_id, MOD, "pyhton")


async def test_profile_resolves_aliases_to_tags(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    profile = await services.profiles.set(
        guild_id, alice, interests="NLP,  cv, nlp", timezone="europe/berlin", level="beginner"
    )
    assert profile.interests == ("computer vision", "natural language processing")
    assert profile.timezone == "Europe/Berlin"
    assert profile.level == "beginner"


async def test_profile_update_keeps_fields_not_given(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, interests="python", timezone="Asia/Tokyo")
    updated = await services.profiles.set(guild_id, alice, level="advanced")
    assert updated.interests == ("python",)
    assert updated.timezone == "Asia/Tokyo"
    cleared = await services.profiles.set(guild_id, alice, interests="none")
    assert cleared.interests == ()
    assert cleared.level == "advanced"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interests": "pytorch"}, 'Unknown interest "pytorch"'),
        ({"interests": " , ,"}, "at least one interest"),
        ({"interests": ", ".join(f"i{n}" for n in range(16))}, "at most 15"),
        ({"timezone": "Mars/Olympus"}, "Unknown timezone"),
        ({"timezone": "x" * 200}, "too long"),
        ({"timezone": "Asia/Tokyo", "level": "guru"}, "Level must be one of"),
    ],
)
async def test_bad_profile_input_writes_nothing(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    kwargs: dict[str, str],
    message: str,
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, interests="python")
    kwargs = {"level": "advanced", **kwargs}  # a valid field beside the bad one must not land
    with pytest.raises(InvalidInput, match=message):
        await services.profiles.set(guild_id, alice, **kwargs)
    profile = await services.profiles.get(guild_id, alice)
    assert (profile.interests, profile.timezone, profile.level) == (("python",), None, None)


async def test_profile_set_with_nothing_to_change_explains_the_options(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    with pytest.raises(InvalidInput, match="Tell me what to change"):
        await services.profiles.set(guild_id, user_ids[0])
    assert (await services.profiles.get(guild_id, user_ids[0])).is_empty


async def test_first_profile_saves_racing_do_not_fail(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await asyncio.gather(
        services.profiles.set(guild_id, alice, timezone="Asia/Tokyo"),
        services.profiles.set(guild_id, alice, level="beginner"),
    )
    profile = await services.profiles.get(guild_id, alice)
    assert profile.timezone == "Asia/Tokyo"
    assert profile.level == "beginner"


async def test_effective_timezone_falls_back_to_the_server(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice, bob, _ = user_ids
    await services.config.set_timezone(guild_id, MOD, "America/Chicago")
    await services.profiles.set(guild_id, alice, timezone="Asia/Kolkata")
    assert await services.profiles.effective_timezone(guild_id, alice) == "Asia/Kolkata"
    assert await services.profiles.effective_timezone(guild_id, bob) == "America/Chicago"
