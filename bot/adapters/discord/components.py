"""Buttons, menus and text forms: the persistent components a reply carries, and a page as message arguments.

Buttons carry the command they run in their custom_id and are dispatched by a `DynamicItem`, so they keep working
after a restart without re-adding views. What a press does is up to the `ComponentHandler` the client carries.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from bot.adapters.discord.render import BUTTON_TEMPLATE, SELECT_ID, Page, shorten
from bot.commands import Registry
from bot.replies import File as ReplyFile

STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
TEXT_INPUT_ID = "text"
TEXT_INPUT_LIMIT = 1000  # characters a member may write in a text form whose command declares no MaxLength
TEXT_INPUT_LIMIT_MAX = 4000  # docs: Components › Text Input (max_length: max 4000)
FORM_TIMEOUT = 900.0  # seconds an unsent text form is kept (Discord's interaction tokens last 15 minutes)


class ComponentHandler(Protocol):
    """What runs a pressed button, a chosen menu option or a sent text form (the adapter's interactions)."""

    async def on_component(self, interaction: discord.Interaction, token: str) -> None: ...

    async def on_text(self, interaction: discord.Interaction, command: str, text: str) -> None: ...


def _handler(interaction: discord.Interaction) -> ComponentHandler | None:
    """The handler of the client that received the interaction; None for a client that is not ours."""
    adapter = getattr(interaction.client, "adapter", None)
    return getattr(adapter, "interactions", None)


class CommandButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_TEMPLATE):
    """A button whose custom_id is the command it runs ("rg:vote 3 A") or a remembered hash ("rgk:…")."""

    def __init__(self, custom_id: str, label: str = "…", style: str = "secondary", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=STYLES.get(style, discord.ButtonStyle.secondary), custom_id=custom_id),
            row=row,
        )

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
    ) -> CommandButton:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = _handler(interaction)
        if handler is not None:
            await handler.on_component(interaction, self.custom_id)


class CommandSelect(discord.ui.DynamicItem[discord.ui.Select], template=SELECT_ID):
    """A select menu for many choices; each option's value is an encoded command like a button's custom_id."""

    def __init__(self, options: Sequence[tuple[str, str]] = (("…", "rg:help"),), placeholder: str = "Choose…") -> None:
        select: discord.ui.Select = discord.ui.Select(
            custom_id=SELECT_ID,
            placeholder=placeholder,
            options=[discord.SelectOption(label=label, value=value) for label, value in options],
        )
        super().__init__(select)

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: Any
    ) -> CommandSelect:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = _handler(interaction)
        data: dict[str, Any] = dict(interaction.data or {})
        values = data.get("values") or []
        if handler is not None and values:
            await handler.on_component(interaction, str(values[0]))


class TextForm(discord.ui.Modal):
    """The form a button whose command asks for text opens: one paragraph; sending it runs the command."""

    def __init__(self, handler: ComponentHandler, command: str, title: str, max_length: int = TEXT_INPUT_LIMIT) -> None:
        super().__init__(title=shorten(title, 45) or "Your text", timeout=FORM_TIMEOUT)
        self.handler = handler
        self.command = command
        self.text: discord.ui.TextInput[TextForm] = discord.ui.TextInput(
            custom_id=TEXT_INPUT_ID, style=discord.TextStyle.paragraph, max_length=max_length, required=True
        )
        self.add_item(discord.ui.Label(text="Your text", component=self.text))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.handler.on_text(interaction, self.command, self.text.value)


def text_limit(registry: Registry, command: str) -> int:
    """The most characters the command accepts in the text a form fills in: its text option's MaxLength, so the
    form never takes more than the command then refuses (and the member's words are not lost)."""
    words = command.split()
    spec = registry.get(" ".join(words[:2])) or registry.get(words[0] if words else "")
    limits = [p.max_length for p in spec.params if p.greedy and p.max_length] if spec else []
    return min(limits[-1], TEXT_INPUT_LIMIT_MAX) if limits else TEXT_INPUT_LIMIT


def component_label(interaction: discord.Interaction, token: str) -> str:
    """The label of the pressed button (or chosen menu option), for the title of the form it opens."""
    message = interaction.message
    for row in message.components if message else []:
        for child in getattr(row, "children", []):
            if getattr(child, "custom_id", None) == token and getattr(child, "label", None):
                return str(child.label)
            for option in getattr(child, "options", []):
                if option.value == token:
                    return str(option.label)
    return "Your text"


def message_kwargs(page: Page) -> dict[str, Any]:
    """A rendered page as the keyword arguments of `send`/`send_message`: content, embed, files and view."""
    kwargs: dict[str, Any] = {}
    if page.content:
        kwargs["content"] = page.content
    if page.embed:
        kwargs["embed"] = discord.Embed.from_dict(page.embed)
    if page.files:
        kwargs["files"] = [_discord_file(f) for f in page.files]
    if page.buttons or page.select:
        view = discord.ui.View(timeout=None)
        for index, button in enumerate(page.buttons):
            view.add_item(CommandButton(button.custom_id, button.label, button.style, row=index // 5))
        if page.select:
            view.add_item(CommandSelect([(o.label, o.value) for o in page.select]))
        kwargs["view"] = view
    return kwargs


def _discord_file(file: ReplyFile) -> discord.File:
    return discord.File(io.BytesIO(file.data), filename=file.filename)
