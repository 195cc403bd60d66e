"""A broken handler makes its end-to-end test fail, with a message a person can act on.

The bot answers members politely whatever happens, so a broken command would otherwise
pass a careless test; here an inner pytest run proves that the e2e fixtures fail it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

INNER_TEST = """
from tests.e2e.conftest import *  # noqa: F403 - the real e2e fixtures


async def test_interests(server, cohort, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("kaboom in the taxonomy")

    monkeypatch.setattr(cohort.services.taxonomy, "get", broken)
    reply = await server.alice.run("/interests")
    assert "went wrong" in reply.text  # what the member sees is fine...
"""


def test_a_handler_that_raises_fails_its_test_readably(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\n"
        "asyncio_default_fixture_loop_scope = session\nasyncio_default_test_loop_scope = session\n"
    )
    pytester.makepyfile(test_inner=INNER_TEST)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    output = result.stdout.str()
    # ...but the test fails, naming the error and its cause.
    assert result.ret != 0, output
    assert "the bot hit unexpected errors" in output
    assert "RuntimeError: kaboom in the taxonomy" in output
    assert "/interests" in output
