"""APScheduler wrapper. The database says what must happen; the scheduler only wakes us up.

Jobs live in the memory job store and are rebuilt from the database at start, so a restart
never loses one and no pickled state can go stale. Every job body is wrapped so that an
exception is logged and never kills the scheduler.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

Job = Callable[..., Awaitable[Any]]


def _guarded(name: str, job: Job) -> Job:
    @functools.wraps(job)
    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return await job(*args, **kwargs)
        except Exception:
            log.exception("scheduled job %s failed", name)
            return None

    return run


class Scheduler:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True})

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def every(self, job_id: str, job: Job, *, seconds: float, **kwargs: Any) -> None:
        """Run ``job`` periodically; replaces a job with the same id."""
        self._scheduler.add_job(
            _guarded(job_id, job),
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
            max_instances=1,
            kwargs=kwargs,
        )

    def cancel(self, job_id: str) -> None:
        job = self._scheduler.get_job(job_id)
        if job is not None:
            job.remove()

    def job_ids(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]
