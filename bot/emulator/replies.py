"""What a member sees after an interaction: the :class:`Reply` and its record.

An :class:`InteractionRecord` tracks one interaction from INTERACTION_CREATE
to its callback, edits and follow-ups. A :class:`Reply` is the test's view of
it: content, embeds, buttons, the ephemeral flag, follow-ups, a modal, and the
next actions (click, select, submit the modal).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .components import button_label, iter_components
from .errors import EmulatorError, HandlerFailed
from .messages import Attachment, Message, Pings
from .state import Channel, User
from .util import Signal, after_response

if TYPE_CHECKING:
    from .members import Member
    from .server import DiscordEmulator

COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5


@dataclass(eq=False)
class InteractionRecord:
    id: int
    token: str
    type: int
    user: User
    member: Member | None
    channel: Channel
    description: str
    created: float
    responded: asyncio.Future[None] = field(repr=False)
    source_message: Message | None = None
    command_name: str | None = None
    response_type: int | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    final: bool = False
    modal_submitted: bool = False
    errors: list[str] = field(default_factory=list, repr=False)
    handlers_done: bool = False
    changed: Signal = field(default_factory=Signal, repr=False)

    def settle_response(self, error: BaseException | None = None) -> None:
        """Release the member waiting for the bot's answer (after the REST answer is written)."""

        def settle() -> None:
            if self.responded.done():
                return
            if error is None:
                self.responded.set_result(None)
            else:
                self.responded.set_exception(error)

        after_response(settle)
        self.changed.fire()


class Reply:
    """The bot's answer to one interaction, as the invoking member sees it."""

    def __init__(self, emu: DiscordEmulator, record: InteractionRecord) -> None:
        self._emu = emu
        self.interaction = record

    def __repr__(self) -> str:
        return (
            f"<Reply to {self.interaction.description} type={self.type} content={self.content!r}>"
        )

    @property
    def type(self) -> int | None:
        """Callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal."""
        return self.interaction.response_type

    @property
    def deferred(self) -> bool:
        return self.type in (5, 6)

    @property
    def message(self) -> Message | None:
        """The response message (for clicks answered with 6/7: the clicked message)."""
        return self.interaction.original

    @property
    def ephemeral(self) -> bool:
        return self.message is not None and self.message.ephemeral

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def buttons(self) -> list[str]:
        return [button_label(c) for c in iter_components(self.components) if c.get("type") == 2]

    @property
    def files(self) -> list[Attachment]:
        return self.message.attachments if self.message else []

    @property
    def text(self) -> str:
        """Content, embeds and follow-ups flattened into one string."""
        parts = [self.message.text] if self.message else []
        parts += [m.text for m in self.followups if m is not self.message]
        return "\n".join(p for p in parts if p)

    @property
    def pings(self) -> Pings | None:
        """Who the response message would notify (see :attr:`Message.pings`)."""
        return self.message.pings if self.message else None

    @property
    def followups(self) -> list[Message]:
        return list(self.interaction.followups)

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.interaction.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.interaction.choices

    async def wait_final(self, timeout: float = 5.0) -> Reply:
        """For a deferred reply, wait until the bot edits it or sends a follow-up."""
        if not self.deferred:
            return self
        record = self.interaction
        await record.changed.wait_for(
            lambda: record.final or _fail_if_crashed(record),
            timeout,
            lambda: (
                f"{record.description}: deferred, but the bot neither edited the response "
                "nor followed up "
                f"within {timeout}s" + _errors_hint(record)
            ),
        )
        await self._emu.settle()
        return self

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        """Wait until at least ``count`` follow-ups arrived; returns them all."""
        record = self.interaction
        await record.changed.wait_for(
            lambda: len(record.followups) >= count or _fail_if_crashed(record),
            timeout,
            lambda: (
                f"{record.description}: {len(record.followups)} follow-up(s) "
                f"within {timeout}s, wanted {count}" + _errors_hint(record)
            ),
        )
        await self._emu.settle()
        return self.followups

    async def wait_done(self, timeout: float = 5.0) -> Reply:
        """Wait until every task the bot started for this interaction finished (needs run_client).

        Raises HandlerFailed if the handler logged errors on the way.
        """
        record = self.interaction

        def done() -> bool | None:
            _fail_if_crashed(record)
            return record.handlers_done or None

        await record.changed.wait_for(
            done, timeout, lambda: f"{record.description}: still running after {timeout}s"
        )
        await self._emu.settle()
        return self

    def _clickable(self) -> Message:
        if self.message is None:
            kind = "a modal" if self.modal is not None else f"type {self.type}"
            raise EmulatorError(
                f"{self.interaction.description}: the reply has no message to interact with "
                f"({kind})"
            )
        return self.message

    async def click(
        self,
        label: str | None = None,
        *,
        custom_id: str | None = None,
        by: Member | User | None = None,
        timeout: float = 5.0,
        strict: bool = True,
    ) -> Reply:
        """Click a button on the response message (default clicker: the invoking member)."""
        return await self._clickable().click(
            label, custom_id=custom_id, by=by, timeout=timeout, strict=strict
        )

    async def select(
        self,
        target: str,
        values: Iterable[Any],
        *,
        by: Member | User | None = None,
        timeout: float = 5.0,
        strict: bool = True,
    ) -> Reply:
        return await self._clickable().select(target, values, by=by, timeout=timeout, strict=strict)

    async def submit_modal(
        self, values: dict[str, str | list[Any]], *, timeout: float = 5.0, strict: bool = True
    ) -> Reply:
        """Fill the modal the bot opened (fields by custom_id or label) and submit it."""
        return await self._emu.interactions.submit_modal(
            self.interaction, values, timeout=timeout, strict=strict
        )


def _fail_if_crashed(record: InteractionRecord) -> None:
    """Stop waiting for more from a handler that already finished with errors."""
    if record.handlers_done and record.errors:
        raise HandlerFailed(
            f"{record.description} failed after responding:\n" + "\n".join(record.errors)
        )


def _errors_hint(record: InteractionRecord) -> str:
    if not record.errors:
        return ""
    return "\nErrors logged while handling it:\n" + "\n".join(record.errors)
