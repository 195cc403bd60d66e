"""Reading message components the way a member sees them.

Messages store raw component JSON as the bot sent it. These helpers walk
nested layouts (action rows, containers, sections, labels), find a button by
label or custom_id, and flatten a message to text for assertions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import EmulatorError

BUTTON = 2
STRING_SELECT = 3
TEXT_INPUT = 4
USER_SELECT = 5
ROLE_SELECT = 6
MENTIONABLE_SELECT = 7
CHANNEL_SELECT = 8
SELECTS = frozenset({STRING_SELECT, USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT})
LINK_STYLE = 5
PREMIUM_STYLE = 6


def iter_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component, depth first, including those nested in rows, containers and sections."""
    for component in components:
        yield component
        children = component.get("components")
        if isinstance(children, list):
            yield from iter_components(children)
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from iter_components([child])


def button_label(component: dict[str, Any]) -> str:
    label = component.get("label")
    if label:
        return str(label)
    emoji = component.get("emoji") or {}
    return str(emoji.get("name") or component.get("custom_id") or "")


def find_button(
    components: list[dict[str, Any]], label: str | None, custom_id: str | None
) -> dict[str, Any]:
    buttons = [c for c in iter_components(components) if c.get("type") == BUTTON]
    for button in buttons:
        if custom_id is not None and button.get("custom_id") == custom_id:
            return button
        if custom_id is None and label is not None and button_label(button) == label:
            return button
    wanted = f"custom_id={custom_id!r}" if custom_id is not None else repr(label)
    available = [f"{button_label(b)!r} ({b.get('custom_id')})" for b in buttons]
    raise EmulatorError(f"no button {wanted} on the message; buttons: {available or 'none'}")


def find_select(components: list[dict[str, Any]], target: str) -> dict[str, Any]:
    selects = [c for c in iter_components(components) if c.get("type") in SELECTS]
    for select in selects:
        if target in (select.get("custom_id"), select.get("placeholder")):
            return select
    available = [f"{s.get('placeholder')!r} ({s.get('custom_id')})" for s in selects]
    raise EmulatorError(f"no select menu {target!r} on the message; selects: {available or 'none'}")


def flatten_text(
    content: str, embeds: list[dict[str, Any]], components: list[dict[str, Any]]
) -> str:
    parts: list[str] = [content] if content else []
    for embed in embeds:
        author = embed.get("author") or {}
        for value in (author.get("name"), embed.get("title"), embed.get("description")):
            if value:
                parts.append(str(value))
        for f in embed.get("fields") or []:
            parts.append(f"{f.get('name', '')}: {f.get('value', '')}")
        footer = embed.get("footer") or {}
        if footer.get("text"):
            parts.append(str(footer["text"]))
    # Components v2 put text in text display components (type 10).
    for component in iter_components(components):
        if component.get("type") == 10 and component.get("content"):
            parts.append(str(component["content"]))
    return "\n".join(parts)


def modal_fields(modal: dict[str, Any]) -> list[dict[str, Any]]:
    """Input components of a modal (text inputs and selects), in order."""
    return [
        c
        for c in iter_components(modal.get("components", []))
        if c.get("type") in SELECTS | {TEXT_INPUT}
    ]


def modal_field_label(modal: dict[str, Any], field: dict[str, Any]) -> str | None:
    """The label shown for a field: its own (legacy text input) or its Label wrapper's."""
    if field.get("label"):
        return str(field["label"])
    for component in iter_components(modal.get("components", [])):
        if component.get("type") == 18 and component.get("component") is field:
            return str(component.get("label"))
    return None
