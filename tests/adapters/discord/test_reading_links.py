"""Reading where the group meets, on Discord (the real discord.py client against the fake): `read` attaches the
EPUB and the HTML file, the reading-opens post says `read` and links its page, and citations link their
paragraph as masked links (Discord renders `[text](<url>)` in embeds without unfurling the page)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from typing import Any

from bot.app import App
from bot.config import WebSettings
from bot.storage import web as web_store
from tests.adapters.discord.support import bind_channel, group_id_of, running, start_plan
from tests.fakes.discord_server import FakeDiscord, RecordedRequest
from tests.web.support import add_hostile_book

LINKED = re.compile(
    r"\(§(\d+)\), \[paragraph (\d+)\]\(<https://read\.example\.org/g/([A-Za-z0-9_-]{43})/r/(\d+)#p-(\d+)-(\d+)>\)"
)


def shown(body: dict[str, Any]) -> str:
    """Everything a member reads in a message: content, embed titles, descriptions and fields."""
    parts = [body.get("content") or ""]
    for embed in body.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def answer(req: RecordedRequest) -> dict[str, Any]:
    data: dict[str, Any] = req.json.get("data", req.json)
    return data


async def test_read_attaches_the_files_and_citations_link_their_paragraph(app: App, fake_discord: FakeDiscord) -> None:
    app.settings = replace(app.settings, web=WebSettings(enabled=True, public_base_url="https://read.example.org"))
    book = await add_hostile_book(app)
    async with running(app):
        mod = await bind_channel(fake_discord)
        await start_plan(fake_discord, mod, book)
        await app.tick()  # reading 1 opens at once: its meeting is tomorrow
        read = await fake_discord.slash_command("read", {}).callback()
        # discord.py uploads every file as application/octet-stream; Discord goes by the file name
        assert [f.filename for f in read.files] == ["reading-1.epub", "reading-1.html"]
        with zipfile.ZipFile(io.BytesIO(read.files[0].data)) as archive:
            assert archive.namelist()[0] == "mimetype"
        assert 'id="p-1-9"' in read.files[1].data.decode()
        assert "Read it online: https://read.example.org/g/" in shown(answer(read))

        search = await fake_discord.slash_command("quote search", {"words": "paragraph"}).callback()
        text = shown(answer(search))
        cited = LINKED.findall(text)
        assert cited, text
        group = await group_id_of(app)
        for section, paragraph, token, reading, anchor_section, anchor_paragraph in cited:
            assert (section, reading, anchor_section, anchor_paragraph) == ("1", "1", "1", paragraph)
            assert await web_store.group_for_token(app.db, token) == group

        opens = [m for m in fake_discord.channel_messages() if " opens: " in shown(m)]
        assert len(opens) == 1
        assert re.search(
            r"Read it: `read 1` attaches it as EPUB and HTML files\. Or read it on \[the reading’s page\]"
            r"\(<https://read\.example\.org/g/[A-Za-z0-9_-]{43}/r/1>\)\.",
            shown(opens[0]),
        ), shown(opens[0])
