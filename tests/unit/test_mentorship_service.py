"""Mentorship services: opt in, request, offers accepted, declined or timed out, batch matching."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.container import Services
from bot.errors import Conflict, InvalidInput, ModuleDisabled, NotFound, PermissionDenied

NLP = "natural language processing"


@pytest.fixture
def people(user_ids: tuple[int, int, int]) -> tuple[int, int, int, int]:
    base = user_ids[0] * 10
    return base + 1, base + 2, base + 3, base + 4


async def mentorship_rows(services: Services, guild_id: int, user_id: int) -> dict[str, object]:
    exported = await services.privacy.export(guild_id, user_id)
    return {t: rows for t, rows in exported.items() if t.startswith(("mentor", "mentorship"))}


async def test_a_request_goes_to_the_best_fitting_mentor_with_a_reason(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, close, far, _ = people
    await services.profiles.set(guild_id, mentee, timezone="Europe/Berlin", level="beginner")
    await services.profiles.set(guild_id, close, timezone="Europe/Paris", level="intermediate")
    await services.profiles.set(guild_id, far, timezone="Pacific/Auckland", level="intermediate")
    await services.mentors.optin(guild_id, far, "nlp, python", 2)
    await services.mentors.optin(guild_id, close, "nlp, python", 2)
    routing = await services.mentorship.request(guild_id, mentee, "nlp, py", "read papers")
    assert routing.offer is not None
    assert routing.offer.mentor_id == close
    assert routing.offer.explanation == (
        f"matched on {NLP}, python; same local time; mentor is intermediate"
    )
    assert routing.offer.goal == "read papers"


async def test_nobody_fits_and_the_request_waits(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, mentor, _, _ = people
    await services.mentors.optin(guild_id, mentor, "computer vision", 1)
    routing = await services.mentorship.request(guild_id, mentee, "nlp")
    assert routing.offer is None
    status = await services.mentors.status(guild_id, mentee)
    assert status.request is not None
    assert status.request.offered_to is None


async def test_accept_creates_one_mentorship_and_closes_the_request(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, mentor, _, _ = people
    await services.mentors.optin(guild_id, mentor, "nlp", 1)
    routing = await services.mentorship.request(guild_id, mentee, "nlp")
    assert routing.offer is not None
    accepted = await services.mentorship.accept(routing.offer.offer_id, mentor)
    assert (accepted.pair.mentor_id, accepted.pair.mentee_id) == (mentor, mentee)
    status = await services.mentors.status(guild_id, mentee)
    assert [p.mentor_id for p in status.mentors] == [mentor]
    assert status.request is None
    with pytest.raises(Conflict, match="already accepted"):
        await services.mentorship.accept(routing.offer.offer_id, mentor)


async def test_two_accepts_at_once_make_exactly_one_mentorship(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, mentor, _, _ = people
    await services.mentors.optin(guild_id, mentor, "nlp", 3)
    routing = await services.mentorship.request(guild_id, mentee, "nlp")
    assert routing.offer is not None
    results = await asyncio.gather(
        services.mentorship.accept(routing.offer.offer_id, mentor),
        services.mentorship.accept(routing.offer.offer_id, mentor),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    assert len((await services.mentors.status(guild_id, mentor)).mentees) == 1


async def test_accepting_two_offers_at_once_never_exceeds_a_lowered_capacity(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    first, second, mentor, _ = people
    await services.mentors.optin(guild_id, mentor, "nlp", 2)
    one = await services.mentorship.request(guild_id, first, "nlp")
    two = await services.mentorship.request(guild_id, second, "nlp")
    assert one.offer is not None
    assert two.offer is not None
    await services.mentors.optin(guild_id, mentor, "nlp", 1)  # changed their mind
    results = await asyncio.gather(
        services.mentorship.accept(one.offer.offer_id, mentor),
        services.mentorship.accept(two.offer.offer_id, mentor),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1
    assert isinstance(refused[0], Conflict)
    assert "your capacity" in str(refused[0])
    assert len((await services.mentors.status(guild_id, mentor)).mentees) == 1


async def test_capacity_is_never_exceeded(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    first, second, mentor, _ = people
    await services.mentors.optin(guild_id, mentor, "nlp", 1)
    one = await services.mentorship.request(guild_id, first, "nlp")
    two = await services.mentorship.request(guild_id, second, "nlp")
    assert one.offer is not None
    assert two.offer is None  # the only slot is held by the pending offer
    await services.mentorship.accept(one.offer.offer_id, mentor)
    assert (await services.mentors.list(guild_id)) == []


async def test_decline_moves_on_and_the_pair_is_never_offered_again(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, first, second, _ = people
    await services.mentors.optin(guild_id, first, "nlp, python", 2)
    await services.mentors.optin(guild_id, second, "nlp", 2)
    routing = await services.mentorship.request(guild_id, mentee, "nlp, python")
    assert routing.offer is not None
    assert routing.offer.mentor_id == first
    declined = await services.mentorship.decline(routing.offer.offer_id, first)
    assert declined.next.offer is not None
    assert declined.next.offer.mentor_id == second
    await services.mentorship.decline(declined.next.offer.offer_id, second)
    await services.mentorship.cancel(guild_id, mentee)
    again = await services.mentorship.request(guild_id, mentee, "nlp, python")
    assert again.offer is None  # both declined this mentee before


async def test_an_unanswered_offer_moves_on_after_the_response_time(
    services: Services, clock: FrozenClock, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, first, second, mod = people
    await services.config.set_response_hours(guild_id, mod, 24)
    await services.mentors.optin(guild_id, first, "nlp, python", 1)
    await services.mentors.optin(guild_id, second, "nlp", 1)
    routing = await services.mentorship.request(guild_id, mentee, "nlp, python")
    assert routing.offer is not None
    assert routing.offer.expires_at == clock.now() + timedelta(hours=24)
    clock.advance(timedelta(hours=23))
    assert await services.mentorship.expire_due([guild_id]) == []
    clock.advance(timedelta(hours=2))
    with pytest.raises(Conflict, match="timed out"):
        await services.mentorship.accept(routing.offer.offer_id, first)
    [moved] = await services.mentorship.expire_due([guild_id])
    assert moved.reason == "expired"
    assert moved.offer is not None
    assert moved.offer.mentor_id == second
    with pytest.raises(Conflict, match="timed out"):
        await services.mentorship.accept(routing.offer.offer_id, first)


async def test_bad_input_is_refused_and_writes_nothing(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, mentor, stranger, _ = people
    with pytest.raises(InvalidInput, match="between 1 and 10"):
        await services.mentors.optin(guild_id, mentor, "nlp", 11)
    with pytest.raises(InvalidInput, match="Did you mean"):
        await services.mentors.optin(guild_id, mentor, "nlpp", 2)
    assert await mentorship_rows(services, guild_id, mentor) == {}
    await services.mentors.optin(guild_id, mentor, "nlp", 2)
    with pytest.raises(InvalidInput, match="own"):
        await services.mentorship.request(guild_id, mentor, "nlp")
    with pytest.raises(InvalidInput, match="Unknown interest"):
        await services.mentorship.request(guild_id, mentee, "quantum basket weaving")
    assert await mentorship_rows(services, guild_id, mentee) == {}
    routing = await services.mentorship.request(guild_id, mentee, "nlp")
    assert routing.offer is not None
    with pytest.raises(Conflict, match="already have an open request"):
        await services.mentorship.request(guild_id, mentee, "nlp")
    with pytest.raises(PermissionDenied, match="only they can answer"):
        await services.mentorship.accept(routing.offer.offer_id, stranger)
    with pytest.raises(PermissionDenied):
        await services.mentorship.decline(routing.offer.offer_id, mentee)
    await services.mentorship.accept(routing.offer.offer_id, mentor)
    with pytest.raises(NotFound, match="isn't your mentor or mentee"):
        await services.mentorship.end(guild_id, mentee, stranger)
    assert len((await services.mentors.status(guild_id, mentee)).mentors) == 1


async def test_end_then_feedback_from_both_sides(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, mentor, stranger, _ = people
    await services.mentors.optin(guild_id, mentor, "nlp", 1)
    routing = await services.mentorship.request(guild_id, mentee, "nlp")
    assert routing.offer is not None
    await services.mentorship.accept(routing.offer.offer_id, mentor)
    ended = await services.mentorship.end(guild_id, mentee, mentor)
    assert ended.pair.mentor_id == mentor
    await services.mentorship.feedback(ended.pair.mentorship_id, mentee, True)
    await services.mentorship.feedback(ended.pair.mentorship_id, mentor, False)
    with pytest.raises(PermissionDenied):
        await services.mentorship.feedback(ended.pair.mentorship_id, stranger, True)
    assert [
        r["helped"]
        for r in (await mentorship_rows(services, guild_id, mentee))["mentorship_feedback"]
    ] == [True]
    assert len(await services.mentors.list(guild_id)) == 1  # the slot is free again


async def test_optout_ends_mentorships_and_moves_pending_offers_on(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    paired, waiting, leaving, other = people
    await services.mentors.optin(guild_id, leaving, "nlp, python", 2)
    first = await services.mentorship.request(guild_id, paired, "nlp, python")
    assert first.offer is not None
    await services.mentorship.accept(first.offer.offer_id, leaving)
    await services.mentors.optin(guild_id, other, "nlp", 1)
    second = await services.mentorship.request(guild_id, waiting, "nlp, python")
    assert second.offer is not None
    assert second.offer.mentor_id == leaving
    result = await services.mentors.optout(guild_id, leaving)
    assert [p.mentee_id for p in result.ended] == [paired]
    [moved] = result.moved
    assert moved.reason == "withdrawn"
    assert moved.offer is not None
    assert moved.offer.mentor_id == other
    assert (await services.mentors.status(guild_id, leaving)).mentor is None


async def test_a_new_mentor_is_offered_the_waiting_requests_they_fit(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    a, b, c, mentor = people
    await services.mentorship.request(guild_id, a, "nlp")
    await services.mentorship.request(guild_id, b, "nlp, python")
    await services.mentorship.request(guild_id, c, "computer vision")
    joined = await services.mentors.optin(guild_id, mentor, "nlp, python", 1)
    assert [r.mentee_id for r in joined.offered] == [b]  # one slot, the best fit
    assert joined.offered[0].reason == "new-mentor"


async def test_batch_match_pairs_waiting_mentees_within_capacity(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    first, second, third, mentor = people
    await services.mentors.optin(guild_id, mentor, "nlp", 2)
    for mentee in (first, second):
        routing = await services.mentorship.request(guild_id, mentee, "nlp")
        assert routing.offer is not None
        await services.mentorship.accept(routing.offer.offer_id, mentor)
    fourth = third + 100
    for mentee in (third, fourth):
        assert (await services.mentorship.request(guild_id, mentee, "nlp")).offer is None
    await services.mentorship.end(guild_id, first, mentor)  # one slot frees up

    preview = await services.mentorship.match(guild_id, send=False)
    assert [(p.mentee_id, p.mentor_id) for p in preview.pairs] == [(third, mentor)]
    assert preview.unmatched == (fourth,)
    assert preview.sent == ()
    assert preview.proven_optimal
    assert (await services.mentors.status(guild_id, mentor)).offers_to_me == ()
    sent = await services.mentorship.match(guild_id, send=True)
    assert [r.mentee_id for r in sent.sent] == [third]
    assert len((await services.mentors.status(guild_id, mentor)).offers_to_me) == 1
    again = await services.mentorship.match(guild_id, send=False)
    assert again.pairs == ()
    assert again.unmatched == (fourth,)


async def test_a_paused_mentor_gets_no_offers_and_the_module_can_be_off(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, mentor, _, mod = people
    await services.mentors.optin(guild_id, mentor, "nlp", 2)
    await services.mentors.set_available(guild_id, mentor, False)
    assert (await services.mentorship.request(guild_id, mentee, "nlp")).offer is None
    await services.config.set_module(guild_id, mod, "mentorship", False)
    with pytest.raises(ModuleDisabled, match="turned off"):
        await services.mentors.optin(guild_id, mentee, "nlp", 1)


async def test_privacy_export_and_erase_cover_mentorship(
    services: Services, guild_id: int, people: tuple[int, int, int, int]
) -> None:
    mentee, mentor, _, _ = people
    await services.mentors.optin(guild_id, mentor, "nlp", 1)
    routing = await services.mentorship.request(guild_id, mentee, "nlp", "ship a model")
    assert routing.offer is not None
    await services.mentorship.accept(routing.offer.offer_id, mentor)
    exported = await mentorship_rows(services, guild_id, mentee)
    assert set(exported) == {"mentorship_requests", "mentor_offers", "mentorships"}
    report = await services.privacy.erase(guild_id, mentee)
    assert report.deleted["mentorships"] == 1
    assert await mentorship_rows(services, guild_id, mentee) == {}
    # the mentor keeps their mentor record, with the slot free again
    [info] = await services.mentors.list(guild_id)
    assert info.user_id == mentor
    assert info.free == 1
