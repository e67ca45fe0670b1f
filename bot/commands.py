# Over 400 lines: declarations, registry and the one text-argument parser are the contract every adapter reads.
"""Commands are declared once, here-shaped, and every adapter reads the same declarations.

A cog writes::

    @command("library show", help="Show a book's sections.", params={"book": "Title fragment or id"})
    async def show(inv: Invocation, book: BookRef, text: bool = False) -> Reply: ...

The signature is the schema: parameter types drive parsing and validation for the text adapters (console,
Matrix) and option types for Discord's slash commands, so no adapter re-declares a command.
"""

from __future__ import annotations

import difflib
import enum
import inspect
import math
import re
import types
import typing
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bot.replies import Context, Reply, UserError
from bot.text import clean_text
from bot.timeutil import DurationTooLong, TimeInputError, parse_date, parse_duration, parse_instant, parse_zone

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.services import Services
    from bot.storage.db import Database
    from bot.storage.groups import Group


class Permission(enum.Enum):
    MEMBER = "member"
    MODERATOR = "moderator"


# ---------------------------------------------------------------- parameter marker types
class BookRef(str):
    """A book id or an unambiguous title fragment; adapters offer book autocomplete for it."""


class ReadingRef(str):
    """A reading: "3", "book:3" or a heading fragment; adapters offer reading autocomplete."""


class PollRef(str):
    """A poll number; adapters offer open polls for autocomplete."""


class Text(str):
    """Free text that takes the rest of the line, so "quote search land and peace" needs no quotes."""


@dataclass(frozen=True)
class MaxLength:
    """`Annotated[Text, MaxLength(500)]`: at most 500 characters; adapters' option and form limits say so too."""

    limit: int


@dataclass(frozen=True)
class MaxCount:
    """`*options: Annotated[str, MaxCount(20)]`: at most 20 values; adapters offer no more option slots."""

    limit: int


@dataclass(frozen=True)
class Invocation:
    """What a command handler gets: the caller, the room's group (if any) and the services."""

    app: Services
    context: Context
    group: Group | None
    member_id: int
    is_moderator: bool
    command: CommandSpec

    @property
    def db(self) -> Database:
        return self.app.db

    @property
    def clock(self) -> Clock:
        return self.app.clock

    def now(self) -> datetime:
        return self.app.clock.now()

    def require_group(self) -> Group:
        if self.group is None:
            raise UserError("This room is not a reading group yet; a moderator can start one here with `group setup`.")
        return self.group

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.group.timezone) if self.group else ZoneInfo(self.app.settings.bot.timezone)


Handler = Callable[..., Awaitable[Reply]]
Completer = Callable[["Services", "Group | None", str], Awaitable[list[tuple[str, str]]]]
"""`await complete(services, group, typed)`: autocomplete choices (label, value) for a parameter type."""


# ---------------------------------------------------------------- declarations
@dataclass(frozen=True)
class Param:
    name: str
    kind: Any
    required: bool
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    variadic: bool = False
    max_length: int | None = None
    max_count: int | None = None

    @property
    def option_name(self) -> str:
        """The name members type (`per-meeting:`), dashes instead of underscores."""
        return self.name.replace("_", "-")

    @property
    def greedy(self) -> bool:
        return self.kind is Text

    @property
    def type_name(self) -> str:
        if self.choices:
            return "|".join(self.choices)
        return _TYPE_NAMES.get(self.kind, "text")


_TYPE_NAMES: dict[Any, str] = {
    str: "text",
    Text: "text",
    int: "number",
    float: "number",
    bool: "yes|no",
    date: "date",
    datetime: "date-time",
    timedelta: "duration",
    ZoneInfo: "time zone",
    BookRef: "book",
    ReadingRef: "reading",
    PollRef: "poll",
}


@dataclass(frozen=True)
class CommandSpec:
    name: str  # full name: "library show"
    help: str
    params: tuple[Param, ...]
    permission: Permission
    handler: Handler
    cog: str
    default: bool = False  # runs when only the group name is typed ("quote" → "quote random")
    details: str = ""

    @property
    def group(self) -> str | None:
        return self.name.split(" ")[0] if " " in self.name else None

    @property
    def leaf(self) -> str:
        return self.name.split(" ")[-1]

    @property
    def usage(self) -> str:
        parts = [self.name]
        for p in self.params:
            if p.variadic:
                parts.append(f"<{p.option_name}>…")
            elif p.required:
                parts.append(f"<{p.option_name}>")
            elif p.kind is bool:
                parts.append(f"[{p.option_name}]")
            else:
                parts.append(f"[{p.option_name}:<{p.type_name}>]")
        return " ".join(parts)


_SPEC_ATTR = "__readalong_command__"


def command(
    name: str,
    *,
    help: str,
    params: dict[str, str] | None = None,
    permission: Permission = Permission.MEMBER,
    default: bool = False,
    details: str = "",
) -> Callable[[Handler], Handler]:
    """Declare a chat command; the first handler parameter is the Invocation, the rest are typed options."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)?", name):
        raise ValueError(f"command name {name!r} must be one or two lower-case words")
    if not help.strip():
        raise ValueError(f"command {name!r} needs help text")

    def decorate(handler: Handler) -> Handler:
        spec = CommandSpec(
            name=name,
            help=help.strip(),
            params=_params_from_signature(handler, params or {}),
            permission=permission,
            handler=handler,
            cog=_feature_of(handler.__module__),
            default=default,
            details=details.strip(),
        )
        setattr(handler, _SPEC_ATTR, spec)
        return handler

    return decorate


def _feature_of(module: str) -> str:
    """The feature a handler belongs to: `cogs.plans.changes` → "plans", `cogs.library` → "library"."""
    parts = module.split(".")
    return parts[1] if parts[0] == "cogs" and len(parts) > 1 else parts[-1]


def _params_from_signature(handler: Handler, helps: dict[str, str]) -> tuple[Param, ...]:
    signature = inspect.signature(handler)
    hints = typing.get_type_hints(handler, include_extras=True)
    declared = list(signature.parameters.values())[1:]  # skip the Invocation
    unknown = set(helps) - {p.name for p in declared}
    if unknown:
        raise ValueError(f"{handler.__qualname__}: help for unknown parameters {sorted(unknown)}")
    result = []
    for parameter in declared:
        kind, limits = _limits(hints[parameter.name])
        optional = False
        if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
            args = [a for a in typing.get_args(kind) if a is not type(None)]
            optional = len(args) < len(typing.get_args(kind))
            kind, more = _limits(args[0])
            limits += more
        choices: tuple[str, ...] = ()
        if typing.get_origin(kind) is Literal:
            choices = tuple(str(a) for a in typing.get_args(kind))
        elif isinstance(kind, type) and issubclass(kind, enum.Enum):
            choices = tuple(str(m.value) for m in kind)
        variadic = parameter.kind is inspect.Parameter.VAR_POSITIONAL
        has_default = parameter.default is not inspect.Parameter.empty
        result.append(
            Param(
                name=parameter.name,
                kind=kind,
                required=not (has_default or optional or variadic),
                default=parameter.default if has_default else None,
                help=helps.get(parameter.name, ""),
                choices=choices,
                variadic=variadic,
                max_length=next((m.limit for m in limits if isinstance(m, MaxLength)), None),
                max_count=next((m.limit for m in limits if isinstance(m, MaxCount)), None),
            )
        )
    return tuple(result)


def _limits(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """`Annotated[T, MaxLength(n), …]` → (T, its metadata); any other hint → (hint, ())."""
    if typing.get_origin(hint) is Annotated:
        kind, *metadata = typing.get_args(hint)
        return kind, tuple(metadata)
    return hint, ()


def spec_of(handler: object) -> CommandSpec | None:
    return getattr(handler, _SPEC_ATTR, None)


# ---------------------------------------------------------------- registry
class Registry:
    """Every command of every cog, looked up by full name; validated once when cogs load."""

    def __init__(self, specs: Iterable[CommandSpec] = ()) -> None:
        self._specs: dict[str, CommandSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"two commands are named {spec.name!r}")
        groups = {s.group for s in self._specs.values() if s.group} | ({spec.group} if spec.group else set())
        leaves = {s.name for s in self._specs.values() if s.group is None} | (
            {spec.name} if spec.group is None else set()
        )
        if groups & leaves:
            raise ValueError(f"{sorted(groups & leaves)} is both a command and a command group")
        if spec.default and any(s.default and s.group == spec.group for s in self._specs.values()):
            raise ValueError(f"group {spec.group!r} has two default subcommands")
        self._specs[spec.name] = spec

    def __iter__(self) -> typing.Iterator[CommandSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.name))

    def __len__(self) -> int:
        return len(self._specs)

    def get(self, name: str) -> CommandSpec | None:
        return self._specs.get(name)

    def groups(self) -> dict[str, list[CommandSpec]]:
        grouped: dict[str, list[CommandSpec]] = {}
        for spec in self:
            if spec.group:
                grouped.setdefault(spec.group, []).append(spec)
        return grouped

    def resolve(self, tokens: Sequence[str]) -> tuple[CommandSpec, list[str]]:
        """Find the command the first one or two words name; the rest are its arguments."""
        if not tokens:
            raise UserError("Type a command; `help` lists them.")
        first = tokens[0].lower()
        if len(tokens) > 1 and (spec := self._specs.get(f"{first} {tokens[1].lower()}")):
            return spec, list(tokens[2:])
        if spec := self._specs.get(first):
            return spec, list(tokens[1:])
        subcommands = self.groups().get(first)
        if subcommands:
            default = next((s for s in subcommands if s.default), None)
            if default and (len(tokens) == 1 or not _looks_like_word(tokens[1], subcommands)):
                return default, list(tokens[1:])
            names = ", ".join(f"`{s.name}`" for s in subcommands)
            if len(tokens) > 1:
                raise UserError(f"`{first}` has no subcommand “{tokens[1]}”; try one of {names}.")
            raise UserError(f"`{first}` needs a subcommand: {names}.")
        top_words = sorted({s.name.split(" ")[0] for s in self._specs.values()})
        close = difflib.get_close_matches(first, top_words, n=1)
        if close:
            raise UserError(
                f"I don't know the command “{tokens[0]}” — did you mean `{close[0]}`? `help` lists them all."
            )
        raise UserError(f"I don't know the command “{tokens[0]}”; `help` lists them all.")


def _looks_like_word(token: str, subcommands: list[CommandSpec]) -> bool:
    """Whether a token after a group name is a (mistyped) subcommand rather than an argument."""
    leaves = [s.leaf for s in subcommands]
    return bool(difflib.get_close_matches(token.lower(), leaves, n=1, cutoff=0.8))


# ---------------------------------------------------------------- text arguments
_QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“"}
_NAMED = re.compile(r"([a-zA-Z][\w-]*):(.*)", re.DOTALL)


@dataclass
class Token:
    text: str
    quoted: bool = False  # started with a quote, so "a:b" in quotes stays positional
    raw: str = ""  # as typed, quotation marks included (free text keeps them: Was Lenin "right"?)


class Word(str):
    """A positional word that remembers how it was typed, for free-text parameters."""

    raw: str

    def __new__(cls, text: str, raw: str) -> Word:
        word = super().__new__(cls, text)
        word.raw = raw
        return word


def tokenize(line: str) -> list[Token]:
    """Split a command line: whitespace separates, double quotes (straight or curly) group, \\ escapes.

    Apostrophes are ordinary letters, because members write "Stalin's Terror" without thinking of quoting.
    """
    tokens: list[Token] = []
    current: list[str] = []
    typed: list[str] = []
    in_token = False
    closing: str | None = None
    starts_quoted = False
    chars = iter(line)
    for ch in chars:
        if (not ch.isspace() or closing is not None) and ch != "\\":
            typed.append(ch)
        if ch == "\\":
            escaped = next(chars, "")
            current.append(escaped)
            typed.append(escaped)
            in_token = True
        elif closing is not None:
            if ch == closing or (closing == "”" and ch == '"'):
                closing = None
            else:
                current.append(ch)
        elif ch in _QUOTES:
            if not in_token:
                starts_quoted = True
            closing = _QUOTES[ch]
            in_token = True
        elif ch.isspace():
            if in_token:
                tokens.append(Token("".join(current), starts_quoted, "".join(typed)))
                current, typed, in_token, starts_quoted = [], [], False, False
        else:
            current.append(ch)
            in_token = True
    if closing is not None:
        raise UserError('A quotation mark is not closed; put a matching " at the end of the quoted words.')
    if in_token:
        tokens.append(Token("".join(current), starts_quoted, "".join(typed)))
    return tokens


def split_named(spec: CommandSpec, tokens: Sequence[Token]) -> tuple[list[str], dict[str, str]]:
    """Separate `name:value` options (only for names the command has) from positional words."""
    by_option = {p.option_name: p for p in spec.params} | {p.name: p for p in spec.params}
    positional: list[str] = []
    named: dict[str, str] = {}
    for token in tokens:
        match = None if token.quoted else _NAMED.fullmatch(token.text)
        if match and match.group(1).lower() in by_option:
            param = by_option[match.group(1).lower()]
            if param.name in named:
                raise UserError(f"`{param.option_name}` is given twice.\nUsage: `{spec.usage}`")
            named[param.name] = match.group(2)
        elif match and (close := difflib.get_close_matches(match.group(1).lower(), list(by_option), 1, 0.75)):
            raise UserError(
                f"`{spec.name}` has no option `{match.group(1)}:` — did you mean "
                f"`{by_option[close[0]].option_name}:`?\nUsage: `{spec.usage}`"
            )
        else:
            positional.append(Word(token.text, token.raw or token.text))
    return positional, named


def bind(spec: CommandSpec, positional: Sequence[str], named: dict[str, str], inv: Invocation | None) -> dict:
    """Match raw strings to parameters and convert them; the one place every adapter's input goes through."""
    values: dict[str, Any] = {}
    rest: list[str] = list(positional)
    for param in spec.params:
        if param.kind is bool:
            said = [i for i, word in enumerate(rest) if word.lower() == param.option_name]
            if said and (len(said) > 1 or param.name in named):
                raise UserError(f"`{param.option_name}` is given twice.\nUsage: `{spec.usage}`")
            if said:
                named[param.name] = "yes"
                del rest[said[0]]
    for index, param in enumerate(spec.params):
        if param.name in named:
            raw: Any = named[param.name]
            if param.variadic:
                raw = [raw]
        elif param.variadic:
            raw, rest = rest, []
        elif rest and param.kind is Text and len(rest) > 1:
            raw, rest = " ".join(getattr(w, "raw", w) for w in rest), []  # free text keeps its quotation marks
        elif rest and (param.greedy or (param.kind in _NAME_LIKE and _last_open(spec, index, named))):
            raw, rest = " ".join(rest), []
        elif rest and param.kind is not bool:
            raw = rest.pop(0)
            if param.kind not in _NAME_LIKE and (option := _NAMED.fullmatch(raw)):
                raise _unknown_option(spec, option.group(1))  # `colour:red` is no bad value of `tz`
        else:
            if param.required:
                raise UserError(f"`{param.option_name}` is missing ({_describe(param)}).\nUsage: `{spec.usage}`")
            continue
        if param.variadic:
            values[param.name] = tuple(convert(spec, param, item, inv) for item in raw)
        else:
            values[param.name] = convert(spec, param, raw, inv)
    if rest:
        if option := _NAMED.fullmatch(rest[0]):
            raise _unknown_option(spec, option.group(1))
        extra = " ".join(rest)
        raise UserError(f"I didn't expect “{extra}” here.\nUsage: `{spec.usage}`")
    return values


def _unknown_option(spec: CommandSpec, name: str) -> UserError:
    options = [f"`{p.option_name}:`" for p in spec.params if not p.variadic and p.kind is not bool]
    known = f"; its options are {', '.join(options)}" if options else f"; `{spec.name}` takes no options"
    return UserError(f"I don't know the option `{name}`{known}.\nUsage: `{spec.usage}`")


_NAME_LIKE = (str, BookRef, ReadingRef, PollRef)


def _last_open(spec: CommandSpec, index: int, named: dict[str, str]) -> bool:
    """Whether no later parameter can take a positional word, so "library show red jacobins" needs no quotes."""
    return all(p.name in named or p.kind is bool for p in spec.params[index + 1 :])


def _describe(param: Param) -> str:
    return param.help or param.type_name


MAX_INT = 2**63 - 1  # the largest number SQLite stores; anything larger is no id, count or amount of ours

_TRUE = {"yes", "y", "true", "on", "1"}
_FALSE = {"no", "n", "false", "off", "0"}


def convert(spec: CommandSpec, param: Param, raw: str, inv: Invocation | None) -> Any:
    """Turn one raw string into the parameter's type, or a UserError that names the parameter."""
    kind = param.kind
    text = raw.strip()

    def fail(expected: str) -> UserError:
        return UserError(f"`{param.option_name}` should be {expected}, not “{raw}”.\nUsage: `{spec.usage}`")

    if param.choices:
        lowered = {c.lower(): c for c in param.choices}
        if text.lower() not in lowered:
            raise fail("one of " + ", ".join(param.choices))
        value = lowered[text.lower()]
        return kind(value) if isinstance(kind, type) and issubclass(kind, enum.Enum) else value
    try:
        if kind is bool:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise fail("yes or no")
        if kind is int:
            # ASCII digits only: "²" passes isdigit() and \d-style tests, and int() refuses it
            if not re.fullmatch(r"[+-]?[0-9]+", text):
                raise fail("a whole number")
            if len(text.lstrip("+-0")) > len(str(MAX_INT)) or abs(int(text)) > MAX_INT:  # before int(): 4,300+ digits
                raise fail("a smaller whole number")
            return int(text)
        if kind is float:
            try:
                number = float(text)
            except ValueError:
                raise fail("a number") from None
            if not math.isfinite(number):
                raise fail("a number")
            return number
        if kind is date:
            return parse_date(text)
        if kind is datetime:
            zone = inv.zone if inv else ZoneInfo("UTC")
            return parse_instant(text, zone)
        if kind is timedelta:
            try:
                return parse_duration(text)
            except DurationTooLong:
                raise fail("a shorter duration, such as 2d or 3h") from None
        if kind is ZoneInfo:
            return parse_zone(text)
    except TimeInputError as exc:
        raise UserError(f"`{param.option_name}`: {exc}\nUsage: `{spec.usage}`") from None
    if not text:
        raise fail("some text")
    if kind in (str, Text, BookRef, ReadingRef, PollRef):
        return kind(text)
    raise TypeError(f"no converter for {kind!r}")  # a declaration bug, caught by the registry tests


def parse_line(registry: Registry, line: str) -> tuple[CommandSpec, list[str], dict[str, str]]:
    """Resolve the command named at the start of a line and split its arguments."""
    tokens = tokenize(clean_text(line))
    spec, rest_words = registry.resolve([t.text for t in tokens])
    consumed = len(tokens) - len(rest_words)
    positional, named = split_named(spec, tokens[consumed:])
    return spec, positional, named
