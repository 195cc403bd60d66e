"""The registered slash commands match COMMANDS.md: names, options, types, ranges, choices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.app import CohortBot
from bot.container import Services
from bot.db import Database
from cogs import build_cogs
from tests import contract

# Areas whose commands exist today; each feature issue adds its area here.
BUILT_AREAS = {"core", "events", "streaks", "groups", "mentorship", "stats"}
SHARED_COMMANDS = Path(__file__).resolve().parents[3] / "shared" / "COMMANDS.md"


@pytest.fixture(scope="module")
async def registered() -> dict[str, dict[str, Any]]:
    """Every leaf command's payload as Discord receives it, keyed by its path."""
    db = Database("sqlite+aiosqlite:///:memory:")
    bot = CohortBot(Services.build(db))
    for cog in build_cogs(bot):
        await bot.add_cog(cog)
    out: dict[str, dict[str, Any]] = {}
    for command in bot.tree.get_commands():
        payload = command.to_dict(bot.tree)
        subcommands = [o for o in payload.get("options", []) if o["type"] == 1]
        if subcommands:
            for sub in subcommands:
                out[f"/{payload['name']} {sub['name']}"] = {**sub, "root": payload}
        else:
            out[f"/{payload['name']}"] = {**payload, "root": payload}
    await db.dispose()
    return out


def _check_option(path: str, want: contract.Option, got: dict[str, Any]) -> list[str]:
    errors = []
    where = f"{path} {want.name}"
    if got["type"] != contract.OPTION_TYPES[want.kind]:
        errors.append(f"{where}: type {got['type']} != {contract.OPTION_TYPES[want.kind]}")
    if got.get("required", False) != want.required:
        errors.append(f"{where}: required={got.get('required', False)}")
    if want.autocomplete and not got.get("autocomplete"):
        errors.append(f"{where}: should autocomplete")
    if want.low is not None:
        keys = ("min_length", "max_length") if want.kind == "str" else ("min_value", "max_value")
        if (got.get(keys[0]), got.get(keys[1])) != (want.low, want.high):
            errors.append(f"{where}: range {got.get(keys[0])}..{got.get(keys[1])}")
    if want.choices and tuple(c["value"] for c in got.get("choices", [])) != want.choices:
        errors.append(f"{where}: choices {got.get('choices')}")
    if want.channel_types and tuple(got.get("channel_types", [])) != want.channel_types:
        errors.append(f"{where}: channel types {got.get('channel_types')}")
    return errors


def test_every_built_command_matches_the_contract(registered: dict[str, dict[str, Any]]) -> None:
    errors: list[str] = []
    for command in contract.commands():
        if command.area not in BUILT_AREAS:
            continue
        got = registered.get(command.path)
        if got is None:
            errors.append(f"{command.path}: not registered")
            continue
        options = {o["name"]: o for o in got.get("options", [])}
        for want in command.options:
            if want.name not in options:
                errors.append(f"{command.path}: missing option {want.name}")
            else:
                errors.extend(_check_option(command.path, want, options[want.name]))
        extra_required = [
            n
            for n, o in options.items()
            if o.get("required") and n not in {w.name for w in command.options}
        ]
        if extra_required:
            errors.append(f"{command.path}: extra required options {extra_required}")
    assert errors == []


def test_no_command_outside_the_contract(registered: dict[str, dict[str, Any]]) -> None:
    known = {c.path for c in contract.commands()}
    assert sorted(set(registered) - known) == []


def test_commands_are_guild_only_except_help(registered: dict[str, dict[str, Any]]) -> None:
    for path, payload in registered.items():
        root = payload["root"]
        if path == "/help":
            assert root["dm_permission"] is True
        else:
            assert root["dm_permission"] is False, path


def test_moderator_commands_default_to_manage_server(registered: dict[str, dict[str, Any]]) -> None:
    manage_guild = 1 << 5
    for path, payload in registered.items():
        if path.startswith("/config"):
            assert int(payload["root"]["default_member_permissions"]) == manage_guild, path


def _parse_commands_md(text: str) -> dict[str, list[str]]:
    """Command path -> option names, read from COMMANDS.md's tables."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) < 2 or not cells[0].startswith("`/"):
            continue
        path = cells[0].strip("`")
        options = re.findall(r"(?:^|;\s*)`([a-z_]+)`:", cells[1]) if cells[1] != "—" else []
        out[path] = options
    return out


def test_transcribed_contract_matches_shared_commands_md() -> None:
    if not SHARED_COMMANDS.exists():
        pytest.skip(f"{SHARED_COMMANDS} is not beside this checkout")
    documented = _parse_commands_md(SHARED_COMMANDS.read_text())
    transcribed = {c.path: [o.name for o in c.options] for c in contract.commands()}
    # /event edit takes "any of create's options"; the table cannot list them by name.
    documented["/event edit"] = transcribed["/event edit"]
    assert transcribed == documented
