"""What members see when something breaks, and how a broken handler fails its test."""

from __future__ import annotations

import logging
import re

import pytest

from bot.app import CohortBot
from tests.e2e.conftest import Server, describe_unexpected


async def test_an_unexpected_error_is_apologised_for_with_a_reference(
    server: Server,
    cohort: CohortBot,
    monkeypatch: pytest.MonkeyPatch,
    unexpected_errors: list[logging.LogRecord],
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the taxonomy table is on fire")

    monkeypatch.setattr(cohort.services.taxonomy, "get", broken)
    reply = await server.alice.run("/interests")
    assert reply.ephemeral
    assert "something went wrong on my side" in reply.text
    ref = re.search(r"`([0-9a-f]{8})`", reply.text)
    assert ref is not None
    # The log names the reference, the command, the guild and the cause ...
    report = describe_unexpected(unexpected_errors)
    assert ref.group(1) in report
    assert "/interests" in report
    assert "the taxonomy table is on fire" in report
    # ... and, left in place, would fail this test with that report.
    unexpected_errors.clear()


async def test_a_failing_button_answers_the_member(
    server: Server,
    cohort: CohortBot,
    monkeypatch: pytest.MonkeyPatch,
    unexpected_errors: list[logging.LogRecord],
) -> None:
    ask = await server.alice.run("/privacy delete")

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("erase failed")

    monkeypatch.setattr(cohort.services.privacy, "erase", broken)
    reply = await ask.click("Erase my data")
    assert "something went wrong on my side" in reply.text
    assert "erase failed" in describe_unexpected(unexpected_errors)
    unexpected_errors.clear()
