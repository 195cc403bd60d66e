"""Fetching iCal feeds over HTTP(S) with aiohttp: timeouts, a size cap, conditional requests.

A feed is someone else's server: it may hang, answer an error page, or send a huge file. Each
fetch has a total timeout and reads at most 5 MB; a failure becomes a :class:`FeedFetchError`
whose message can be shown to a moderator. ``ETag`` and ``Last-Modified`` from the previous
answer are sent back, so an unchanged feed answers 304 with no body.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

MAX_FEED_BYTES = 5 * 1024 * 1024
USER_AGENT = "Cohort/1 (Discord bot reading iCal feeds for a learning community)"


class FeedFetchError(Exception):
    """The feed could not be fetched; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    body: bytes | None
    """None when the server answered 304 Not Modified."""
    etag: str | None
    last_modified: str | None


class FeedFetcher:
    def __init__(self, *, timeout: float = 15.0, max_bytes: int = MAX_FEED_BYTES) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 10.0))
        self._timeout_seconds = timeout
        self._max_bytes = max_bytes

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.get(url, headers=headers, max_redirects=5) as response,
            ):
                if response.status == 304:
                    return FetchResult(None, etag, last_modified)
                if response.status != 200:
                    raise FeedFetchError(f"the server answered HTTP {response.status}")
                body = await self._read_capped(response)
                return FetchResult(
                    body, response.headers.get("ETag"), response.headers.get("Last-Modified")
                )
        except TimeoutError:
            raise FeedFetchError(f"no answer within {self._timeout_seconds:.0f} s") from None
        except aiohttp.TooManyRedirects:
            raise FeedFetchError("it redirects too many times") from None
        except aiohttp.InvalidURL:
            raise FeedFetchError("the address is not a valid URL") from None
        except aiohttp.ClientConnectorError as error:
            raise FeedFetchError(f"I could not connect to {error.host}") from None
        except aiohttp.ClientError as error:
            raise FeedFetchError(f"the connection failed ({type(error).__name__})") from None

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self._max_bytes:
                raise FeedFetchError(
                    f"the file is larger than {self._max_bytes // 1024 // 1024} MB"
                )
            chunks.append(chunk)
        return b"".join(chunks)
