"""Turning exceptions into what a member sees: their mistakes explained, ours apologised for."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.errors import UserError
from cogs.common import respond

log = logging.getLogger(__name__)


def describe_error(error: Exception) -> str | None:
    """A sentence for the member when the error is theirs to fix; None for our own failures."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, UserError):
        return original.message
    if isinstance(original, app_commands.NoPrivateMessage):
        return "This command works only inside a server."
    if isinstance(original, app_commands.TransformerError):
        kind = original.type.name.replace("_", " ")
        expected = {"channel": "a channel of the right kind"}.get(kind, f"a {kind}")
        return f"That value isn't valid here: expected {expected}."
    if isinstance(original, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {original.retry_after:.0f} s."
    if isinstance(original, app_commands.CheckFailure):
        return str(original) or "You can't use this command here."
    return None


async def render_error(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Tell the member what went wrong; log anything unexpected with a reference they can quote."""
    message = describe_error(error)
    if message is None:
        ref = secrets.token_hex(4)
        original = getattr(error, "original", error)
        log.error(
            "unexpected error ref=%s in %s guild=%s user=%s",
            ref,
            where,
            interaction.guild_id,
            interaction.user.id,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = (
            "Sorry, something went wrong on my side and nothing was changed. "
            f"If it keeps happening, tell a moderator the reference `{ref}`."
        )
    try:
        await respond(interaction, message)
    except discord.HTTPException:
        log.warning("could not deliver an error message for %s", where, exc_info=True)


class SafeCallback:
    """Mixin for persistent buttons: failures reach the member like a command's would.

    discord.py only logs exceptions raised in a DynamicItem callback, which leaves the member
    with "This interaction failed"; subclasses implement ``run`` instead of ``callback``.
    Put it before ``discord.ui.DynamicItem`` in the bases.
    """

    item: discord.ui.Item[Any]

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception as error:
            custom_id = getattr(self.item, "custom_id", "?")
            await render_error(interaction, error, f"button {custom_id}")

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError
