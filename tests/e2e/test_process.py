"""The `cohort` process: it connects, stops cleanly on a signal, and explains a bad token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import DiscordEmulator


@pytest.fixture
async def lonely_emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    emu.create_guild("Process Test")
    yield emu
    await emu.stop()


async def _spawn(emu: DiscordEmulator, tmp_path: Path, token: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "COHORT_"))}
    env.update(
        DISCORD_TOKEN=token,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/process.db",
        COHORT_DISCORD_URL=emu.base_url,
        LOG_LEVEL="INFO",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _read_until(stream: asyncio.StreamReader, needle: str, timeout: float = 30) -> str:
    seen: list[str] = []
    async with asyncio.timeout(timeout):
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError(
                    "the process ended before saying: " + needle + "\n" + "".join(seen)
                )
            seen.append(line)
            if needle in line:
                return "".join(seen)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_the_bot_process_connects_and_stops_cleanly_on_a_signal(
    lonely_emulator: DiscordEmulator, tmp_path: Path, sig: signal.Signals
) -> None:
    process = await _spawn(lonely_emulator, tmp_path, lonely_emulator.token)
    assert process.stderr is not None
    before = await _read_until(process.stderr, "connected as")
    assert "synced" in before
    assert lonely_emulator.token not in before
    process.send_signal(sig)
    async with asyncio.timeout(30):
        rest = (await process.stderr.read()).decode()
        code = await process.wait()
    assert code == 0, rest
    assert f"received {sig.name}" in rest
    assert "stopped" in rest
    assert "Traceback" not in before + rest


async def test_a_rejected_token_ends_with_one_sentence(
    lonely_emulator: DiscordEmulator, tmp_path: Path
) -> None:
    process = await _spawn(lonely_emulator, tmp_path, "not-the-token")
    async with asyncio.timeout(30):
        _, err = await process.communicate()
    text = err.decode()
    assert process.returncode == 1
    assert "Discord rejected DISCORD_TOKEN" in text
    assert "Traceback" not in text
    assert "not-the-token" not in text
