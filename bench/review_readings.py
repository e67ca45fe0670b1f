"""What the bot would post for every reading of a six-meeting plan over each book (for the issue #14 review).

Run: python bench/review_readings.py [EXTRA_FILE ...] [--json]. Loads the default library (plus any extra
files) into a scratch database, cuts each book into about six readings the way `plan create` does, and prints,
per reading, the discussion prompts `prompts` would show and the quote the reading-opens post would carry.
Not a test: a person reads the output and judges it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import App  # noqa: E402
from bot.config import LibrarySettings, Settings  # noqa: E402
from bot.domain.plans import PerMeeting, SectionLength, allocate_readings  # noqa: E402
from bot.services.books import add_book, load_default_library  # noqa: E402
from bot.services.prompts import choose_generated, generated_prompts  # noqa: E402
from bot.services.quotes import GOOD_RANK, attribution, choose_quote  # noqa: E402
from bot.services.readings import Gate  # noqa: E402
from bot.storage import books as book_store  # noqa: E402
from bot.storage import quotes as quote_store  # noqa: E402
from cogs import all_features  # noqa: E402
from cogs.discussion import apart_from  # noqa: E402

TEXTS = ROOT / "data" / "texts"
MEETINGS = 6


def now() -> datetime:
    return datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def review(extra: list[Path]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(Settings().with_database(Path(folder) / "r.sqlite3"), library=LibrarySettings(texts=TEXTS))
        app = await App.open(settings, features=all_features())
        try:
            await load_default_library(app.db, app.settings, now)
            for path in extra:
                await add_book(app.db, app.settings, path.read_bytes(), path.name, now)
            for book in await book_store.all_books(app.db):
                sections = await book_store.sections(app.db, book.id)
                lengths = [SectionLength(s.id, book.id, s.minutes, s.heading, s.position) for s in sections]
                per = -(-len(sections) // MEETINGS)  # six meetings: whole sections, as even as they come
                readings = allocate_readings(lengths, PerMeeting("sections", per))
                planned = frozenset(s.id for s in sections)
                reached: set[int] = set()
                for number, reading in enumerate(readings, start=1):
                    reached |= set(reading.section_ids)
                    gate = Gate(frozenset(reached), planned)
                    generated = []
                    for section_id in reading.section_ids:
                        generated += await generated_prompts(app, app.db, section_id)
                    prompts = choose_generated(generated, gate, reading.section_ids)[:5]  # as `prompts` shows
                    pool = await quote_store.pool(app.db, None, list(reading.section_ids), max_rank=GOOD_RANK)
                    shown = choose_generated(generated, gate, reading.section_ids)
                    cited = [c.excerpt for p in shown for c in p.citations]  # the quote is apart from all of them
                    quote = choose_quote(apart_from(pool, cited))
                    rows.append(
                        {
                            "book": book.title,
                            "reading": number,
                            "title": reading.title,
                            "prompts": [{"kind": p.kind, "text": p.text} for p in prompts],
                            "quote": f"{quote.text} — {attribution(quote)}" if quote else None,
                        }
                    )
        finally:
            await app.close()
    return rows


def main() -> None:
    extra = [Path(a) for a in sys.argv[1:] if not a.startswith("--")]
    rows = asyncio.run(review(extra))
    if "--json" in sys.argv:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        print(f"\n## {row['book']} — reading {row['reading']}: {row['title']}")
        for p in row["prompts"]:  # type: ignore[attr-defined]
            print(f"- [{p['kind']}] {p['text']}")
        print(f"- [quote] {row['quote']}")


if __name__ == "__main__":
    main()
