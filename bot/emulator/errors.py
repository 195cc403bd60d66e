"""Exceptions the emulator's test API raises.

All are AssertionErrors so that pytest reports them as plain test failures
with their message, which is written to say what a member would have seen.
"""

from __future__ import annotations


class EmulatorError(AssertionError):
    """Base class: a test did something Discord would not allow, or the bot misbehaved."""


class CommandNotFound(EmulatorError):
    """The command path is not among the synced commands."""


class InvalidOptions(EmulatorError):
    """Discord's client would refuse to send these options (required, choices, ranges, types)."""


class CommandUnavailable(EmulatorError):
    """Discord hides the command from this member (default_member_permissions, contexts)."""


class NoResponse(EmulatorError):
    """The bot did not answer the interaction in time."""


class HandlerFailed(EmulatorError):
    """The bot's handler raised and never answered the interaction."""


class ClientCrashed(EmulatorError):
    """The discord.py client task died while a test was waiting on it."""
