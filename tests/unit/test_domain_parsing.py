"""What members type: timezones, interest lists and reminder offsets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import interests, timezones
from bot.domain.reminders import describe_minutes, parse_offsets
from bot.errors import InvalidInput

NAMES = {a: t for t, al in interests.DEFAULT_TAXONOMY.items() for a in (t, *al)}


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        (" America/New York ", "America/New_York"),
        ("utc", "UTC"),
    ],
)
def test_timezones_are_matched_case_insensitively(typed: str, canonical: str) -> None:
    assert timezones.parse_timezone(typed) == canonical


def test_timezone_autocomplete_finds_cities_and_prefixes() -> None:
    assert timezones.autocomplete_timezones("berl")[0] == "Europe/Berlin"
    assert timezones.autocomplete_timezones("America/New")[0] == "America/New_York"
    assert len(timezones.autocomplete_timezones("a")) == 25
    assert "UTC" in timezones.autocomplete_timezones("")


def test_timezone_autocomplete_suggests_on_typos() -> None:
    assert "Europe/Berlin" in timezones.autocomplete_timezones("Europe/Berln")


@given(st.text(max_size=80))
def test_timezone_parsing_answers_any_text_with_a_zone_or_one_clear_line(text: str) -> None:
    result: str | None = None
    message: str | None = None
    try:
        result = timezones.parse_timezone(text)
    except InvalidInput as error:
        message = error.message
    if result is not None:
        assert ZoneInfo(result)
    else:
        assert message
        assert "\n" not in message


def test_interest_message_lists_every_unknown_item_with_a_suggestion() -> None:
    with pytest.raises(InvalidInput) as caught:
        interests.resolve("nlpp, pytorch, python", NAMES)
    assert 'Unknown interest "nlpp". Did you mean nlp?' in caught.value.message
    assert 'Unknown interest "pytorch"' in caught.value.message
    assert "/interests" in caught.value.message


def test_interest_autocomplete_completes_the_last_item() -> None:
    # a tag that starts with the text comes before a tag found through an alias
    assert interests.autocomplete_list("nlp, comp", NAMES) == [
        "nlp, computer vision",
        "nlp, kaggle",
    ]
    after_python = interests.autocomplete_list("python, ", NAMES)
    assert after_python
    assert all(s.startswith("python, ") for s in after_python)
    assert "python, python" not in after_python  # a chosen tag is not offered again


@given(st.lists(st.sampled_from(sorted(NAMES)), min_size=1, max_size=15))
def test_any_list_of_known_names_resolves_to_distinct_tags(items: list[str]) -> None:
    tags = interests.resolve(", ".join(items), NAMES)
    assert len(tags) == len(set(tags))
    assert set(tags) == {NAMES[i] for i in items}


def test_offsets_describe_themselves() -> None:
    assert parse_offsets("60,1440") == (1440, 60)
    assert describe_minutes(1500) == "1 day 1 h"
    assert describe_minutes(2880) == "2 days"
