"""A small per-key cache of *tasks*: concurrent callers share one query, writes invalidate.

Caching the task rather than the value means twenty interactions arriving together for a
cold guild run one query, not twenty. A failed load is dropped so the next call retries.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TaskCache(Generic[K, V]):
    def __init__(self, max_size: int = 10_000) -> None:
        self._tasks: OrderedDict[K, asyncio.Task[V]] = OrderedDict()
        self._max_size = max_size

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(load())
            self._tasks[key] = task
            task.add_done_callback(lambda t, k=key: self._drop_if_failed(k, t))
            while len(self._tasks) > self._max_size:
                self._tasks.popitem(last=False)
        else:
            self._tasks.move_to_end(key)
        return await asyncio.shield(task)

    def invalidate(self, key: K) -> None:
        self._tasks.pop(key, None)

    def clear(self) -> None:
        self._tasks.clear()

    def _drop_if_failed(self, key: K, task: asyncio.Task[V]) -> None:
        if (task.cancelled() or task.exception() is not None) and self._tasks.get(key) is task:
            del self._tasks[key]
