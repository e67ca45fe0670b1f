"""Discord's documented limits on what a bot uploads, as pure checks that collect Discord's field errors.

Each check walks a request body and adds one error per broken rule under the field's path, so the fake can
answer exactly as Discord does: HTTP 400 with ``{"code": 50035, "message": "Invalid Form Body", "errors":
{...}}``, the errors nested by field name and list index, each leaf ``{"_errors": [{"code", "message"}]}``
(docs: Reference › Error Messages). The comment beside each rule names the documentation section it follows.
Longer than 400 lines because it is one table of rules per resource, each needing its citation beside it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# docs: Interactions › Application Commands › Application Command Naming (CHAT_INPUT names and option names)
# `^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`, lowercase where a lowercase variant exists. Python's `re`
# has no \p classes: word characters minus "_" cover letters and digits of every script; "_", "-", "'" added.
_CHAT_INPUT_NAME = re.compile(r"^[-_'\w]{1,32}$")

# docs: Interactions › Application Commands › Application Command Object › Application Command Types
CHAT_INPUT, USER, MESSAGE, PRIMARY_ENTRY_POINT = 1, 2, 3, 4
# docs: Interactions › Application Commands › Application Command Option Type
SUB_COMMAND, SUB_COMMAND_GROUP, STRING = 1, 2, 3
OPTION_TYPES = range(1, 12)
# docs: Interactions › Receiving and Responding › Interaction Context Types (GUILD, BOT_DM, PRIVATE_CHANNEL)
CONTEXT_TYPES = {0, 1, 2}
# docs: Resources › Application › Application Integration Types (GUILD_INSTALL, USER_INSTALL)
INTEGRATION_TYPES = {0, 1}
# Fields of the application command object that options (subcommands, groups) do not have.
# docs: Interactions › Application Commands › Application Command Object (fields of the top-level object only)
TOP_LEVEL_ONLY = ("default_member_permissions", "dm_permission", "contexts", "integration_types", "nsfw")
# docs: Resources › Channel › Start Thread from Message (auto_archive_duration: 60, 1440, 4320, 10080)
ARCHIVE_MINUTES = {60, 1440, 4320, 10080}
# docs: Resources › Guild Scheduled Event › Guild Scheduled Event Entity Types (STAGE_INSTANCE, VOICE, EXTERNAL)
STAGE_INSTANCE, VOICE, EXTERNAL = 1, 2, 3
GUILD_ONLY = 2  # docs: Resources › Guild Scheduled Event › Guild Scheduled Event Privacy Level
MESSAGE_FLAGS_ALLOWED = (1 << 2) | (1 << 6) | (1 << 12) | (1 << 13) | (1 << 15)  # see check_message


class FormErrors:
    """Field errors collected while checking one request, in Discord's nested shape."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}
        self.flat: list[tuple[str, str, str]] = []  # (dotted path, code, message): easy to assert on

    def __bool__(self) -> bool:
        return bool(self.flat)

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        self.flat.append((".".join(str(k) for k in path), code, message))

    def body(self) -> dict[str, Any]:
        """The JSON body Discord answers with (docs: Reference › Error Messages, example JSON error response)."""
        return {"code": 50035, "message": "Invalid Form Body", "errors": self.tree}

    # ---- small rules shared by every resource ----------------------------------------------------

    def length(self, path: tuple[str | int, ...], value: Any, low: int, high: int) -> None:
        """A string's length between ``low`` and ``high`` (Discord counts characters)."""
        if value is None:
            if low > 0:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return
        if not isinstance(value, str):
            self.add(path, "BASE_TYPE_STRING", "Value must be a string.")
        elif len(value) > high:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
        elif len(value) < low:
            self.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {low} or more in length.")

    def count(self, path: tuple[str | int, ...], items: Any, high: int, low: int = 0) -> list[Any]:
        """A list of at most ``high`` (at least ``low``) items; returns the list for further checks."""
        if items is None:
            items = []
        if not isinstance(items, list):
            self.add(path, "BASE_TYPE_ARRAY", "Value must be an array.")
            return []
        if len(items) > high:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
        elif len(items) < low:
            self.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {low} or more in length.")
        return items

    def within(self, path: tuple[str | int, ...], value: Any, low: int, high: int) -> None:
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be between {low} and {high}.")

    def choice(self, path: tuple[str | int, ...], value: Any, allowed: set[int] | range) -> None:
        if value is not None and value not in allowed:
            choices = ", ".join(str(a) for a in sorted(allowed))
            self.add(path, "BASE_TYPE_CHOICES", f"Value must be one of {{{choices}}}.")


# --------------------------------------------------------------------------------------------------
# Application commands


def check_commands(bodies: Any, errors: FormErrors) -> None:
    """A bulk overwrite: every command, plus the per-scope counts and unique names."""
    # docs: Interactions › Application Commands › Registering a Command (100 CHAT_INPUT, 15 USER, 15 MESSAGE)
    if not isinstance(bodies, list):
        errors.add((), "BASE_TYPE_ARRAY", "Value must be an array.")
        return
    caps = {CHAT_INPUT: 100, USER: 15, MESSAGE: 15, PRIMARY_ENTRY_POINT: 1}
    seen: set[tuple[str, int]] = set()
    by_type: dict[int, int] = {}
    for index, body in enumerate(bodies):
        check_command(body, errors, (index,))
        if not isinstance(body, dict):
            continue
        key = (str(body.get("name")), body.get("type") or CHAT_INPUT)
        if key in seen:
            # docs: Application Commands › Registering a Command ("commands … with unique names" per type)
            errors.add(
                (index, "name"), "APPLICATION_COMMAND_ALREADY_EXISTS", "Application command names must be unique"
            )
        seen.add(key)
        by_type[key[1]] = by_type.get(key[1], 0) + 1
    for ctype, number in by_type.items():
        if number > caps.get(ctype, 100):
            errors.add((), "APPLICATION_COMMANDS_TOO_MANY", f"Maximum number of type {ctype} commands reached")


def check_command(body: Any, errors: FormErrors, path: tuple[str | int, ...] = ()) -> None:
    """One application command as created or overwritten."""
    if not isinstance(body, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    ctype = body.get("type") or CHAT_INPUT
    errors.choice((*path, "type"), ctype, {CHAT_INPUT, USER, MESSAGE, PRIMARY_ENTRY_POINT})
    _check_name(body.get("name"), errors, (*path, "name"), chat_input=ctype == CHAT_INPUT)
    if ctype == CHAT_INPUT:
        # docs: Application Command Object (description: 1-100 characters for CHAT_INPUT)
        errors.length((*path, "description"), body.get("description"), 1, 100)
    elif body.get("description"):
        # docs: Application Command Object ("empty string for USER and MESSAGE commands")
        errors.add((*path, "description"), "APPLICATION_COMMAND_INVALID_DESCRIPTION", "Must be empty for this type.")
    perms = body.get("default_member_permissions")
    if perms is not None and not str(perms).isdigit():
        # docs: Application Command Object (default_member_permissions: ?string, a permission bit set)
        errors.add((*path, "default_member_permissions"), "BASE_TYPE_BAD_INT", "Value is not a bit set.")
    # docs: Application Command Object (contexts: list of interaction context types; integration_types:
    # list of application integration types)
    for index, value in enumerate(errors.count((*path, "contexts"), body.get("contexts"), 3)):
        errors.choice((*path, "contexts", index), value, CONTEXT_TYPES)
    for index, value in enumerate(errors.count((*path, "integration_types"), body.get("integration_types"), 2)):
        errors.choice((*path, "integration_types", index), value, INTEGRATION_TYPES)
    options = errors.count((*path, "options"), body.get("options"), 25)  # docs: "up to 25 options"
    if options and ctype != CHAT_INPUT:
        errors.add((*path, "options"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Only CHAT_INPUT takes options.")
    _check_options(options, errors, (*path, "options"), depth=0)
    # docs: Application Commands › Registering a Command ("8000 characters for combined name, description,
    # and value properties for each command, its options (including subcommands and groups), and choices")
    if _text_size(body) > 8000:
        errors.add(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)")


def _check_name(name: Any, errors: FormErrors, path: tuple[str | int, ...], *, chat_input: bool) -> None:
    errors.length(path, name, 1, 32)  # docs: Application Command Object (name: 1-32 characters)
    if not isinstance(name, str) or not chat_input:
        return
    # docs: Application Command Naming (regex, and "must use the lowercase variant of any letters")
    if not _CHAT_INPUT_NAME.fullmatch(name) or name != name.lower():
        errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _check_options(options: list[Any], errors: FormErrors, path: tuple[str | int, ...], *, depth: int) -> None:
    names: set[str] = set()
    seen_optional = False
    for index, option in enumerate(options):
        here = (*path, index)
        if not isinstance(option, dict):
            errors.add(here, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        otype = option.get("type")
        errors.choice((*here, "type"), otype, OPTION_TYPES)
        _check_name(option.get("name"), errors, (*here, "name"), chat_input=True)
        errors.length((*here, "description"), option.get("description"), 1, 100)  # docs: Option Structure
        if option.get("name") in names:
            errors.add((*here, "name"), "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option names must be unique")
        names.add(str(option.get("name")))
        for key in TOP_LEVEL_ONLY:
            if key in option:
                # docs: Application Command Object vs Application Command Option Structure — permissions,
                # contexts and installs belong to the top-level command; subcommands and groups do not carry them
                errors.add((*here, key), "APPLICATION_COMMAND_OPTION_INVALID_FIELD", f"{key} is top-level only.")
        nested = otype in (SUB_COMMAND, SUB_COMMAND_GROUP)
        if not nested:
            # docs: Option Structure ("required options must be listed before optional options")
            if option.get("required"):
                if seen_optional:
                    errors.add(
                        (*here, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
        _check_option_values(option, errors, here)
        children = errors.count((*here, "options"), option.get("options"), 25)
        if otype == SUB_COMMAND_GROUP:
            # docs: Application Commands › Subcommands and Subcommand Groups (a group holds only subcommands;
            # a group cannot sit inside a group or a subcommand)
            if depth > 0:
                errors.add((*here, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Groups nest only at top level.")
            for c_index, child in enumerate(children):
                if isinstance(child, dict) and child.get("type") != SUB_COMMAND:
                    errors.add(
                        (*here, "options", c_index, "type"),
                        "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                        "A subcommand group holds only subcommands.",
                    )
            _check_options(children, errors, (*here, "options"), depth=depth + 1)
        elif otype == SUB_COMMAND:
            for c_index, child in enumerate(children):
                if isinstance(child, dict) and child.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
                    errors.add(
                        (*here, "options", c_index, "type"),
                        "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                        "A subcommand holds no subcommands.",
                    )
            _check_options(children, errors, (*here, "options"), depth=depth + 1)
        elif children:
            errors.add((*here, "options"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Only subcommands nest.")


def _check_option_values(option: dict[str, Any], errors: FormErrors, here: tuple[str | int, ...]) -> None:
    choices = errors.count((*here, "choices"), option.get("choices"), 25)  # docs: Option Structure (max 25)
    if choices and option.get("autocomplete"):
        # docs: Option Structure (autocomplete "may not be set to true if choices are present")
        errors.add(
            (*here, "autocomplete"),
            "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
            "Autocomplete cannot be set with choices",
        )
    for c_index, choice in enumerate(choices):
        if not isinstance(choice, dict):
            continue
        # docs: Application Command Option Choice Structure (name 1-100; string value up to 100)
        errors.length((*here, "choices", c_index, "name"), choice.get("name"), 1, 100)
        if isinstance(choice.get("value"), str):
            errors.length((*here, "choices", c_index, "value"), choice["value"], 1, 100)
    # docs: Option Structure (min_length 0-6000, max_length 1-6000, STRING options only)
    errors.within((*here, "min_length"), option.get("min_length"), 0, 6000)
    errors.within((*here, "max_length"), option.get("max_length"), 1, 6000)
    low, high = option.get("min_length"), option.get("max_length")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.add((*here, "min_length"), "APPLICATION_COMMAND_OPTION_LENGTH_INVALID", "min_length above max_length")
    if (low is not None or high is not None) and option.get("type") != STRING:
        errors.add((*here, "max_length"), "APPLICATION_COMMAND_OPTION_LENGTH_INVALID", "Lengths are for strings.")
    low_v, high_v = option.get("min_value"), option.get("max_value")
    if isinstance(low_v, int | float) and isinstance(high_v, int | float) and low_v > high_v:
        errors.add((*here, "min_value"), "APPLICATION_COMMAND_OPTION_VALUE_INVALID", "min_value above max_value")


def _text_size(node: Any) -> int:
    """Characters of every name, description and choice value in a command tree (the 8000 budget)."""
    if isinstance(node, list):
        return sum(_text_size(n) for n in node)
    if not isinstance(node, dict):
        return 0
    size = sum(len(str(node.get(k) or "")) for k in ("name", "description"))
    if isinstance(node.get("value"), str):
        size += len(node["value"])
    return size + _text_size(node.get("options") or []) + _text_size(node.get("choices") or [])


# --------------------------------------------------------------------------------------------------
# Messages, embeds and components


def check_message(body: Any, errors: FormErrors, *, files: int = 0, path: tuple[str | int, ...] = ()) -> None:
    """A message create/edit body (channel message, interaction response or follow-up, webhook edit)."""
    if not isinstance(body, dict):
        return
    # docs: Resources › Message › Create Message (content: up to 2000 characters)
    errors.length((*path, "content"), body.get("content"), 0, 2000)
    # docs: Create Message (nonce: integer or string, max 25 characters)
    if isinstance(body.get("nonce"), str):
        errors.length((*path, "nonce"), body["nonce"], 0, 25)
    embeds = errors.count((*path, "embeds"), body.get("embeds"), 10)  # docs: Create Message (up to 10 embeds)
    total = 0
    for index, embed in enumerate(embeds):
        total += _check_embed(embed, errors, (*path, "embeds", index))
    if total > 6000:
        # docs: Resources › Message › Embed Limits ("combined sum of characters … must not exceed 6000")
        errors.add((*path, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    components = body.get("components")
    if components is not None:
        check_components(components, errors, (*path, "components"), v2=bool((body.get("flags") or 0) & (1 << 15)))
    poll = body.get("poll")
    if isinstance(poll, dict):
        _check_poll(poll, errors, (*path, "poll"))


def is_empty_message(body: dict[str, Any], files: int) -> bool:
    """docs: Create Message ("at least one of content, embeds, sticker_ids, components, files[n], or poll")."""
    keys = ("content", "embeds", "sticker_ids", "components", "poll")
    return files == 0 and not any(body.get(k) for k in keys)


def _check_embed(embed: Any, errors: FormErrors, path: tuple[str | int, ...]) -> int:
    """Checks one embed; returns its characters for the 6000 total. docs: Message › Embed Limits."""
    if not isinstance(embed, dict):
        return 0
    size = 0

    def text(key_path: tuple[str, ...], value: Any, limit: int) -> None:
        nonlocal size
        if isinstance(value, str):
            size += len(value)
            errors.length((*path, *key_path), value, 0, limit)

    text(("title",), embed.get("title"), 256)
    text(("description",), embed.get("description"), 4096)
    fields = errors.count((*path, "fields"), embed.get("fields"), 25)
    for index, item in enumerate(fields):
        if isinstance(item, dict):
            errors.length((*path, "fields", index, "name"), item.get("name"), 1, 256)
            errors.length((*path, "fields", index, "value"), item.get("value"), 1, 1024)
            size += len(str(item.get("name") or "")) + len(str(item.get("value") or ""))
    footer, author = embed.get("footer") or {}, embed.get("author") or {}
    text(("footer", "text"), footer.get("text"), 2048)
    text(("author", "name"), author.get("name"), 256)
    return size


def check_components(components: Any, errors: FormErrors, path: tuple[str | int, ...], *, v2: bool = False) -> None:
    """Message components. docs: Components › Reference (Action Row, Button, String Select)."""
    rows = errors.count(path, components, 40 if v2 else 5)  # docs: Action Row ("up to 5 action rows")
    custom_ids: set[str] = set()
    for index, row in enumerate(rows):
        here = (*path, index)
        if not isinstance(row, dict):
            continue
        if row.get("type") != 1:
            if not v2:
                # docs: Components › Reference (top-level message components without IS_COMPONENTS_V2 are
                # action rows)
                errors.add((*here, "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Top-level components must be rows.")
            continue
        children = row.get("components") or []
        buttons = [c for c in children if isinstance(c, dict) and c.get("type") == 2]
        selects = [c for c in children if isinstance(c, dict) and c.get("type") in (3, 5, 6, 7, 8)]
        # docs: Action Row ("up to 5 contextually grouped buttons" or "a single select component")
        if len(buttons) > 5 or (selects and len(children) > 1):
            errors.add(
                (*here, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for c_index, child in enumerate(children):
            if isinstance(child, dict):
                _check_interactive(child, errors, (*here, "components", c_index), custom_ids)


def _check_interactive(child: dict[str, Any], errors: FormErrors, here: tuple[str | int, ...], ids: set[str]) -> None:
    ctype = child.get("type")
    if ctype == 2:
        # docs: Components › Button (label max 80; custom_id max 100, required unless link/premium style)
        errors.length((*here, "label"), child.get("label"), 0, 80)
        if child.get("style") == 5:
            errors.length((*here, "url"), child.get("url"), 1, 512)
            return
        if child.get("style") == 6:
            return
    if ctype in (2, 3, 5, 6, 7, 8):
        errors.length((*here, "custom_id"), child.get("custom_id"), 1, 100)
        custom_id = child.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in ids:
                # docs: Components › Reference › Custom ID ("must be unique per component" within a message)
                errors.add(
                    (*here, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
                )
            ids.add(custom_id)
    if ctype == 3:
        # docs: Components › String Select (options 1-25; placeholder max 150; label/value/description max 100)
        errors.length((*here, "placeholder"), child.get("placeholder"), 0, 150)
        options = errors.count((*here, "options"), child.get("options"), 25, low=1)
        for o_index, option in enumerate(options):
            if isinstance(option, dict):
                errors.length((*here, "options", o_index, "label"), option.get("label"), 1, 100)
                errors.length((*here, "options", o_index, "value"), option.get("value"), 1, 100)
                errors.length((*here, "options", o_index, "description"), option.get("description"), 0, 100)
        errors.within((*here, "min_values"), child.get("min_values"), 0, 25)
        errors.within((*here, "max_values"), child.get("max_values"), 1, 25)


def _check_poll(poll: dict[str, Any], errors: FormErrors, path: tuple[str | int, ...]) -> None:
    # docs: Resources › Poll › Poll Create Request Object (question 300, answers up to 10 of 55, duration ≤ 768 h)
    errors.length((*path, "question", "text"), (poll.get("question") or {}).get("text"), 1, 300)
    answers = errors.count((*path, "answers"), poll.get("answers"), 10, low=1)
    for index, answer in enumerate(answers):
        media = (answer or {}).get("poll_media") or {}
        errors.length((*path, "answers", index, "poll_media", "text"), media.get("text"), 0, 55)
    errors.within((*path, "duration"), poll.get("duration"), 1, 768)


# --------------------------------------------------------------------------------------------------
# Modals, threads, scheduled events


def check_modal(data: Any, errors: FormErrors, path: tuple[str | int, ...] = ("data",)) -> None:
    """A MODAL callback. docs: Interactions › Receiving and Responding › Interaction Callback Data › Modal
    (custom_id max 100, title max 45, 1-5 components) and Components › Text Input / Label."""
    if not isinstance(data, dict):
        errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return
    errors.length((*path, "custom_id"), data.get("custom_id"), 1, 100)
    errors.length((*path, "title"), data.get("title"), 1, 45)
    for index, top in enumerate(errors.count((*path, "components"), data.get("components"), 5, low=1)):
        here = (*path, "components", index)
        if not isinstance(top, dict):
            continue
        if top.get("type") == 18:
            # docs: Components › Label (label max 45, description max 100, one component inside)
            errors.length((*here, "label"), top.get("label"), 1, 45)
            errors.length((*here, "description"), top.get("description"), 0, 100)
            inner = top.get("component")
            if isinstance(inner, dict) and inner.get("type") == 4:
                _check_text_input(inner, errors, (*here, "component"), labelled=True)
        elif top.get("type") == 1:
            for c_index, child in enumerate(top.get("components") or []):
                if isinstance(child, dict) and child.get("type") == 4:
                    _check_text_input(child, errors, (*here, "components", c_index), labelled=False)


def _check_text_input(
    child: dict[str, Any], errors: FormErrors, here: tuple[str | int, ...], *, labelled: bool
) -> None:
    # docs: Components › Text Input (custom_id 1-100; style 1 or 2; min_length 0-4000; max_length 1-4000;
    # value max 4000; placeholder max 100; label max 45 and deprecated inside a Label component)
    errors.length((*here, "custom_id"), child.get("custom_id"), 1, 100)
    errors.choice((*here, "style"), child.get("style"), {1, 2})
    errors.within((*here, "min_length"), child.get("min_length"), 0, 4000)
    errors.within((*here, "max_length"), child.get("max_length"), 1, 4000)
    errors.length((*here, "value"), child.get("value"), 0, 4000)
    errors.length((*here, "placeholder"), child.get("placeholder"), 0, 100)
    if labelled and child.get("label") is not None:
        errors.add((*here, "label"), "COMPONENT_INVALID_FIELD", "A text input in a Label has no label of its own.")
    elif not labelled:
        errors.length((*here, "label"), child.get("label"), 1, 45)


def check_thread(body: Any, errors: FormErrors, *, with_message: bool) -> None:
    """Start Thread from Message / without Message. docs: Resources › Channel › Start Thread from Message
    (name 1-100, auto_archive_duration one of 60/1440/4320/10080, rate_limit_per_user 0-21600)."""
    body = body if isinstance(body, dict) else {}
    errors.length(("name",), body.get("name"), 1, 100)
    errors.choice(("auto_archive_duration",), body.get("auto_archive_duration"), ARCHIVE_MINUTES)
    errors.within(("rate_limit_per_user",), body.get("rate_limit_per_user"), 0, 21600)
    if not with_message:
        # docs: Start Thread without Message (type: ANNOUNCEMENT_THREAD, PUBLIC_THREAD or PRIVATE_THREAD)
        errors.choice(("type",), body.get("type"), {10, 11, 12})


def check_event(body: Any, errors: FormErrors, *, now: dt.datetime, current: dict[str, Any] | None = None) -> None:
    """Create (``current`` None) or modify a guild scheduled event. docs: Resources › Guild Scheduled Event ›
    Create Guild Scheduled Event / Modify Guild Scheduled Event and Field Requirements By Entity Type."""
    body = body if isinstance(body, dict) else {}
    merged = {**(current or {}), **body}
    if current is None or "name" in body:
        errors.length(("name",), body.get("name"), 1, 100)  # docs: Create (name 1-100 characters)
    if body.get("description") is not None:
        errors.length(("description",), body.get("description"), 0, 1000)  # docs: Create (description 1-1000)
    if current is None or "privacy_level" in body:
        errors.choice(("privacy_level",), body.get("privacy_level"), {GUILD_ONLY})
    errors.choice(("entity_type",), merged.get("entity_type"), {STAGE_INSTANCE, VOICE, EXTERNAL})
    start, end = _when(merged.get("scheduled_start_time")), _when(merged.get("scheduled_end_time"))
    if "scheduled_start_time" in body or current is None:
        if start is None:
            errors.add(("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required")
        elif start <= now:
            # docs: Create Guild Scheduled Event (scheduled_start_time is a time in the future)
            errors.add(
                ("scheduled_start_time",),
                "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
                "Cannot schedule event in the past.",
            )
    if start is not None and end is not None and end <= start:
        # docs: Guild Scheduled Event Object (scheduled_end_time after scheduled_start_time)
        errors.add(
            ("scheduled_end_time",),
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "Cannot schedule event to end before starting.",
        )
    if merged.get("entity_type") == EXTERNAL:
        # docs: Field Requirements By Entity Type (EXTERNAL: entity_metadata.location 1-100 and
        # scheduled_end_time required, channel_id null)
        location = (merged.get("entity_metadata") or {}).get("location")
        errors.length(("entity_metadata", "location"), location, 1, 100)
        if end is None:
            errors.add(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required")
        if merged.get("channel_id"):
            errors.add(("channel_id",), "GUILD_SCHEDULED_EVENT_CHANNEL_ID_MUST_BE_NULL", "Must be null for EXTERNAL.")
    elif merged.get("entity_type") in (STAGE_INSTANCE, VOICE) and not merged.get("channel_id"):
        errors.add(("channel_id",), "BASE_TYPE_REQUIRED", "This field is required")


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
