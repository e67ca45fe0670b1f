# Over 400 lines: every CLI subcommand is a small function here so `readalong --help` has one source.
"""The `readalong` command line: run the bot, open the console room, manage the library and the database.

Every failure a user can cause ends in one sentence on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from bot import __version__
from bot.app import App
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.log import configure_logging
from bot.replies import UserError
from bot.storage.db import DatabaseUnavailable
from bot.timeutil import TimeInputError, parse_instant

log = logging.getLogger("readalong")


def _positive(text: str) -> int:
    """A count of at least 1, so `--limit 0` or `--limit -1` is refused rather than meaning "all"."""
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


CONFIG_HELP = "config file (default: config.toml if present)"
DB_HELP = "database file (default: bot.database from the config)"


def _common(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """`--config` and `--db` on every (sub)command, so they work before or after its name (the README's promise);
    SUPPRESS keeps a value given earlier on the line when a later parser does not see the option."""
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=CONFIG_HELP)
    parser.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=DB_HELP)
    return parser


class _Subparsers:
    """add_parser that gives every subcommand the common options."""

    def __init__(self, action: Any) -> None:
        self.action = action

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return _common(self.action.add_parser(name, **kwargs))


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, not {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="readalong", description="Readalong, a study and reading group bot.")
    parser.add_argument("--config", type=Path, default=None, help=CONFIG_HELP)
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.add_argument("--version", action="version", version=f"readalong {__version__}")
    sub = _Subparsers(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))

    sub.add_parser("run", help="start the adapters from the config (the console when none), and the web pages")

    web = sub.add_parser("web", help="serve the groups' web pages alone (beside a bot in another process)")
    web.add_argument("--host", help="address to listen on (default: web.host from the config)")
    web.add_argument("--port", type=_port, help="port to listen on (default: web.port from the config)")

    console = sub.add_parser("console", help="a reading group in the terminal")
    console.add_argument("--now", help="start the console clock at this ISO 8601 time (default: now)")
    console.add_argument("--as", dest="member", default="alice", help="the member you speak as (default alice)")

    library = _Subparsers(
        sub.add_parser("library", help="manage the library").add_subparsers(dest="action", required=True)
    )
    add = library.add_parser("add", help="add books from files")
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add.add_argument("--title")
    add.add_argument("--author")
    add.add_argument("--date")
    library.add_parser("list", help="list the books").add_argument("--json", action="store_true")
    show = library.add_parser("show", help="show a book's sections")
    show.add_argument("book", metavar="BOOK", help="book id or title fragment")
    show.add_argument("--json", action="store_true")
    show.add_argument("--text", action="store_true", help="include each section's full text")

    search = library.add_parser("search", help="full-text search with citations")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--json", action="store_true")
    search.add_argument("--limit", type=_positive, default=10, metavar="K", help="how many hits (default 10)")

    quotes = sub.add_parser("quotes", help="a book's best quote candidates with citations")
    quotes.add_argument("book", metavar="BOOK", help="book id or title fragment")
    quotes.add_argument("--section", type=int, metavar="N", help="only section N (1-based)")
    quotes.add_argument("--limit", type=_positive, default=10, metavar="K", help="how many (default 10)")
    quotes.add_argument("--json", action="store_true")

    prompts = sub.add_parser("prompts", help="discussion prompts for one section of a book")
    prompts.add_argument("book", metavar="BOOK", help="book id or title fragment")
    prompts.add_argument("--section", type=int, metavar="N", required=True, help="the section (1-based)")
    prompts.add_argument("--json", action="store_true")

    claims = sub.add_parser("claims", help="the argument model of one section: claims, evidence, voices")
    claims.add_argument("book", metavar="BOOK", help="book id or title fragment")
    claims.add_argument("--section", type=int, metavar="N", required=True, help="the section (1-based)")
    claims.add_argument("--json", action="store_true")

    plan = _Subparsers(sub.add_parser("plan", help="study plans").add_subparsers(dest="action", required=True))
    ics = plan.add_parser("ics", help="print a group's plan as an iCalendar file")
    ics.add_argument("group", metavar="GROUP", help="group id or room id")

    db = _Subparsers(sub.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True))
    db.add_parser("migrate", help="bring the schema up to date")
    db.add_parser("schema", help="print the schema (how bot/storage/schema.sql is made)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        if getattr(args, "db", None):
            settings = settings.with_database(args.db)
        configure_logging(settings.bot.log_level if args.command in ("run", "web") else "WARNING")
        key = (args.command, getattr(args, "action", None))
        _check_database_exists(settings, args, key)
        return asyncio.run(_HANDLERS[key](settings, args))
    except (ConfigError, UserError, TimeInputError, DatabaseUnavailable) as exc:
        print(f"readalong: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _check_database_exists(settings: Settings, args: argparse.Namespace, key: tuple[str, str | None]) -> None:
    """`plan ics` only reads groups, which a new database cannot have: say so rather than create an empty file.
    (The library commands may start a database: a new one loads the default library.)"""
    if key in (("plan", "ics"), ("web", None)) and not settings.bot.database.exists():
        raise UserError(
            f"There is no database at {settings.bot.database}; check the --db path (or the config's bot.database)."
        )


def _progress(line: str) -> None:
    """Progress of a long first start, on stderr so scripts reading stdout see only their answer."""
    print(line, file=sys.stderr, flush=True)


def check_prompt_templates(settings: Settings) -> None:
    """The bot writes discussion prompts from the templates file: a missing or broken one is said at start, in one
    sentence, rather than as an apology the first time a member asks for prompts."""
    from bot.ingest.prompts import TemplateError, load_templates
    from bot.services.prompts import templates_path

    path = templates_path(settings)
    try:
        load_templates(path)
    except UnicodeDecodeError:
        raise UserError(f"The prompt templates file {path} is not UTF-8 text; save it as UTF-8.") from None
    except TemplateError as exc:
        raise UserError(f"{exc} (the config's prompts.templates names this file).") from None


async def _with_app(settings: Settings, body: Callable[[App], Awaitable[int]], **kwargs: Any) -> int:
    from bot.services.books import load_default_library
    from cogs import all_features  # the composition root: the one place the core meets the features

    app = await App.open(settings, features=all_features(), **kwargs)
    try:
        await load_default_library(app.db, settings, app.clock.now, progress=_progress)
        return await body(app)
    finally:
        await app.close()


async def cmd_console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.adapters.console import ConsoleAdapter, run_console
    from bot.clock import ManualClock

    check_prompt_templates(settings)
    start = parse_instant(args.now, _zone(settings)) if args.now else None
    clock = ManualClock(start)
    log_file = console_log_file(settings)
    # the terminal is the group's room: log lines go to a file, stamped with the console's clock
    configure_logging(settings.bot.log_level, file=log_file, now=lambda: clock.now().astimezone(_zone(settings)))

    async def body(app: App) -> int:
        from bot.runner import web_pages

        pages = web_pages(app) if getattr(args, "serve_pages", False) else contextlib.nullcontext()
        async with pages:
            await run_console(ConsoleAdapter(app, clock, sys.stdout, member=args.member), log_file=log_file)
        return 0

    return await _with_app(settings, body, clock=clock)


def console_log_file(settings: Settings) -> Path | None:
    """Beside the database (data/readalong.log for data/readalong.sqlite3); None (stderr) for a memory one."""
    database = settings.bot.database
    if str(database) == ":memory:":
        return None
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # the database's own error says what is wrong with the folder
    return database.with_suffix(".log")


async def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot.adapters:
        args.now, args.member, args.serve_pages = None, "alice", True
        return await cmd_console(settings, args)
    from bot.runner import check_credentials, run_adapters

    check_credentials(settings)
    check_prompt_templates(settings)
    return await _with_app(settings, run_adapters, clock=SystemClock())


async def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    """The pages alone, read-only on the database a bot process writes (SQLite WAL lets both at once)."""
    import dataclasses
    import signal

    from bot.adapters.web import serve
    from bot.storage.db import Database

    web = dataclasses.replace(
        settings.web,
        host=args.host or settings.web.host,
        port=settings.web.port if args.port is None else args.port,
    )
    db = await Database.open(settings.bot.database)
    try:
        try:
            runner = await serve(db, SystemClock(), web)
        except OSError as exc:
            raise UserError(f"I can't listen on {web.host}:{web.port}: {exc.strerror}.") from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        print(f"Serving the groups' pages on {web.host}:{web.port}; links start {web.base_url()}/", flush=True)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
    finally:
        await db.close()
    return 0


async def cmd_library_add(settings: Settings, args: argparse.Namespace) -> int:
    from bot import ingest
    from bot.services.books import Overrides, add_book, book_line

    async def body(app: App) -> int:
        status = 0
        overrides = Overrides(title=args.title, author=args.author, date=args.date)
        for path in args.paths:
            try:  # refuses FIFOs and devices, and stops reading at the upload limit
                data = ingest.read_path(path, ingest.IngestOptions(max_bytes=settings.library.max_upload_mb << 20))
            except ingest.IngestError as exc:
                print(f"readalong: I couldn't read {path}: {exc}", file=sys.stderr)
                status = 2
                continue
            try:
                book = await add_book(app.db, settings, data, path.name, app.clock.now, overrides)
            except UserError as exc:
                print(f"readalong: {exc}", file=sys.stderr)
                status = 2
                continue
            print(f"added {book_line(book)}")
        return status

    return await _with_app(settings, body)


async def cmd_library_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.books import book_line
    from bot.storage import books as book_store

    async def body(app: App) -> int:
        books = await book_store.all_books(app.db)
        if args.json:
            print(json.dumps([_book_json(b) for b in books], ensure_ascii=False, indent=2))
        else:
            for book in books:
                print(book_line(book))
        return 0

    return await _with_app(settings, body)


async def cmd_library_show(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.books import find_book
    from bot.storage import books as book_store

    async def body(app: App) -> int:
        book = await find_book(app.db, args.book)
        sections = await book_store.sections(app.db, book.id)
        if args.json:
            data = _book_json(book)
            data["provenance"] = list(book.provenance)
            data["sections"] = [
                {
                    "index": s.position,
                    "heading": s.heading,
                    "level": s.level,
                    "words": s.words,
                    "minutes": s.minutes,
                    "first_words": s.first_words(),
                    **({"text": s.text} if args.text else {}),
                    "notes": list(s.notes),
                }
                for s in sections
            ]
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        print(f"#{book.id} {book.title} — {book.byline}" + (f" ({book.date})" if book.date else ""))
        for note in book.provenance:
            print(f"From the editors/publishers: {note}")
        for s in sections:
            print(f"{s.position:>3}. {s.label} — {s.words} words, ~{s.minutes} min — {s.first_words(8)}")
            if args.text:
                print("\n" + s.text + "\n")
        return 0

    return await _with_app(settings, body)


async def cmd_library_search(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.books import citation
    from bot.storage.search import search_paragraphs

    async def body(app: App) -> int:
        hits = await search_paragraphs(app.db, args.query, limit=args.limit)
        if args.json:
            rows = [
                {
                    "book_id": h.book_id,
                    "book": h.book_title,
                    "section": h.section_position,
                    "heading": h.heading,
                    "paragraph": h.paragraph_position,
                    "snippet": h.snippet,
                    "text": h.text,
                }
                for h in hits
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for hit in hits:
                print(f"{citation(hit)}\n    {hit.snippet}")
            if not hits:
                print(f"Nothing in the library matches “{args.query}”.")
        return 0

    return await _with_app(settings, body)


async def cmd_quotes(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.books import find_book
    from bot.services.quotes import attribution, section_citation
    from bot.storage import quotes as quote_store

    async def body(app: App) -> int:
        book = await find_book(app.db, args.book)
        if args.section is not None and not 1 <= args.section <= book.section_count:
            raise UserError(f"*{book.title}* has sections 1 to {book.section_count}, not {args.section}.")
        found = await quote_store.of_book(app.db, book.id, section_position=args.section, limit=args.limit)
        if args.json:
            rows = [
                {
                    "text": q.text,
                    "book": q.book_title,
                    "section": q.section_position,
                    "paragraph": q.paragraph_position,
                    "speaker": q.speaker or q.byline,
                    "score": q.score,
                }
                for q in found
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        for q in found:
            print(f"“{q.text}”\n    — {attribution(q)}; {section_citation(q)} (score {q.score:.2f})\n")
        if not found:
            print("No quote candidates there.")
        return 0

    return await _with_app(settings, body)


async def cmd_prompts(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.books import find_book
    from bot.services.prompts import prompts_for_section

    check_prompt_templates(settings)

    async def body(app: App) -> int:
        book = await find_book(app.db, args.book)
        if not 1 <= args.section <= book.section_count:
            raise UserError(f"*{book.title}* has sections 1 to {book.section_count}, not {args.section}.")
        drafts = await prompts_for_section(app, app.db, book.id, args.section)
        if args.json:
            rows = [
                {
                    "kind": d.kind,
                    "text": d.text,
                    "citations": [
                        {
                            "book": c.book,
                            "section": c.section,
                            "paragraph": None if c.from_provenance else c.paragraph,  # the publishers' note (#13)
                            "excerpt": c.excerpt,
                        }
                        for c in d.citations
                    ],
                }
                for d in drafts
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        for d in drafts:
            cites = "; ".join(
                f"*{c.book}*, the publishers' note" if c.from_provenance else f"*{c.book}* §{c.section} ¶{c.paragraph}"
                for c in d.citations
            )
            print(f"[{d.kind}] {d.text}\n    ({cites})\n")
        return 0

    return await _with_app(settings, body)


async def cmd_claims(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.books import find_book
    from bot.services.prompts import reading_model
    from bot.storage import books as book_store

    async def body(app: App) -> int:
        book = await find_book(app.db, args.book)
        section = await book_store.section(app.db, book.id, args.section) if args.section >= 1 else None
        if section is None or args.section > book.section_count:
            raise UserError(f"*{book.title}* has sections 1 to {book.section_count}, not {args.section}.")
        model = await reading_model(app, app.db, section.id)
        assert model is not None
        rows = [
            {
                "kind": c.kind,
                "voice": c.voice,
                "speaker": c.speaker,
                "paragraph": c.passage.paragraph,
                "text": c.text,
                "evidence": [{"paragraph": e.paragraph, "text": e.text} for e in c.evidence],
                "opponent": c.opponent,
                "term": c.term,
                "topics": list(c.topics),
                "score": c.score,
            }
            for c in model.claims
        ]
        if args.json:
            out = {"book_kind": model.book_kind, "terms": list(model.terms), "editorial": list(model.editorial)}
            print(json.dumps({**out, "claims": rows}, ensure_ascii=False, indent=2))
            return 0
        print(f"*{book.title}* §{section.position}: {model.book_kind}; key terms: {', '.join(model.terms)}")
        for row in rows:
            who = row["speaker"] or row["voice"]
            print(f"[{row['kind']}, {who}] ¶{row['paragraph']}: {row['text']}")
        return 0

    return await _with_app(settings, body)


def _book_json(book: Any) -> dict[str, Any]:
    return {
        "id": book.id,
        "title": book.title,
        "authors": list(book.authors),
        "date": book.date,
        "sections_count": book.section_count,
        "words": book.words,
        "minutes": book.minutes,
    }


async def cmd_plan_ics(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.plans import PlanError
    from bot.services.plans import plan_ics
    from bot.storage import groups as group_store
    from bot.storage.db import Database

    db = await Database.open(settings.bot.database)
    try:
        groups = await group_store.all_groups(db)
        found = [g for g in groups if str(g.id) == args.group] or [g for g in groups if g.room_id == args.group]
        if not found:
            raise UserError(f"There is no group “{args.group}”; give a group id or its room id.")
        if len(found) > 1:
            raise UserError(f"Several groups use the room id “{args.group}”; give the group id instead.")
        try:
            data = await plan_ics(db, found[0], SystemClock().now())
        except PlanError as exc:
            raise UserError(str(exc)) from None
        sys.stdout.write(data.decode())
    finally:
        await db.close()
    return 0


async def cmd_db_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.db import Database

    db = await Database.open(settings.bot.database)
    try:
        print(f"{settings.bot.database}: schema version {await db.version()}")
    finally:
        await db.close()
    return 0


async def cmd_db_schema(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.db import Database

    db = await Database.open(":memory:", migrate=False)
    try:
        version = await db.migrate(squashed=False)
        sys.stdout.write(
            f"-- The squashed schema at version {version}: what the numbered migrations give, applied in one step\n"
            "-- to a fresh database. Regenerate after adding a migration:\n"
            "--   .venv/bin/readalong db schema > bot/storage/schema.sql\n\n"
        )
        sys.stdout.write(await db.schema_sql())
    finally:
        await db.close()
    return 0


def _zone(settings: Settings) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.bot.timezone)


_HANDLERS: dict[tuple[str, str | None], Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    ("run", None): cmd_run,
    ("console", None): cmd_console,
    ("web", None): cmd_web,
    ("library", "add"): cmd_library_add,
    ("library", "list"): cmd_library_list,
    ("library", "show"): cmd_library_show,
    ("library", "search"): cmd_library_search,
    ("quotes", None): cmd_quotes,
    ("prompts", None): cmd_prompts,
    ("claims", None): cmd_claims,
    ("db", "migrate"): cmd_db_migrate,
    ("db", "schema"): cmd_db_schema,
    ("plan", "ics"): cmd_plan_ics,
}

if __name__ == "__main__":
    sys.exit(main())
