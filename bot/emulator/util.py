"""Plumbing shared by the emulator: snowflakes, timestamps, and change notifications.

:class:`Signal` is how waits in the test API learn that something changed;
while a REST handler runs, notifications are held (see :func:`after_response`)
until the HTTP answer is written, so the bot has its answer before a test
reacts to the change (e.g. clicks a button of a message the bot just sent,
whose View discord.py stores only once the send returned).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import discord

from .errors import EmulatorError

DISCORD_EPOCH_MS = 1420070400000

T = TypeVar("T")


class SnowflakeGenerator:
    """Makes snowflakes whose timestamp part is the emulator's "now".

    discord.py derives ``created_at`` from ids, so they must decode to the
    emulator's clock (which tests may freeze). The low 22 bits are a running
    counter, so ids stay unique (for 4M ids) even when that clock stands still
    or is set back, and increase while it moves forward or stands still.
    """

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._counter = itertools.count()

    def __call__(self) -> int:
        ms = int(self._now().timestamp() * 1000) - DISCORD_EPOCH_MS
        return (max(ms, 0) << 22) | (next(self._counter) & 0x3FFFFF)


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()


# Set while a REST handler runs: actions that would let a waiting test move on are held
# until the HTTP answer is written.
_held_actions: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "emulator_held_actions", default=None
)


def after_response(action: Callable[[], None]) -> None:
    """Run ``action`` once the current REST answer is written, or now outside REST handlers."""
    held = _held_actions.get()
    if held is None:
        action()
    else:
        held.append(action)


@contextlib.contextmanager
def holding_actions() -> Iterator[list[Callable[[], None]]]:
    held: list[Callable[[], None]] = []
    token = _held_actions.set(held)
    try:
        yield held
    finally:
        _held_actions.reset(token)


class Signal:
    """A broadcast "something changed" notification for waiters.

    Waiters re-check their condition after each ``fire``; nothing polls on a
    timer, so waits end as soon as the awaited change happens.
    """

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        after_response(self._fire)

    def _fire(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_for(
        self, check: Callable[[], T | None], timeout: float, describe: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None and result is not False:
                return result
            if self._event is None:
                self._event = asyncio.Event()
            event = self._event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise EmulatorError(describe())
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                raise EmulatorError(describe()) from None


def perms_value(value: discord.Permissions | int | None) -> int:
    if value is None:
        return 0
    if isinstance(value, discord.Permissions):
        return value.value
    return int(value)
