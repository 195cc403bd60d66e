"""Fixtures for the emulator's own tests.

Each test module gets one emulator and one connected bot (module scope); tests
share them and create what they need. The DNS guard is autouse: a test that
tries to resolve a non-loopback host fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.emulator import loopback_only
from tests.emulator.tinybot import Env, start_env


@pytest.fixture(autouse=True)
def refused_lookups() -> Iterator[list[str]]:
    with loopback_only() as refused:
        yield refused
    assert not refused, f"the test tried to resolve non-loopback hosts: {refused}"


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[Env]:
    async with start_env() as value:
        yield value
