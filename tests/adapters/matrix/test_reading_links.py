"""Reading where the group meets, on a real Synapse: `read` posts the EPUB and the HTML file, and a search hit's
citation is an `<a href>` to its paragraph in the formatted body (through the markdown-it renderer)."""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import replace

import nio

from bot.config import WebSettings
from bot.storage import web as web_store
from tests.adapters.matrix.support import Connect, StartBot, ask, content_of, group_room, start_plan
from tests.support.matrix_nio import wait_for_event
from tests.web.support import add_hostile_book

ANCHOR = re.compile(
    r'\(§(\d+)\), <a href="https://read\.example\.org/g/([A-Za-z0-9_-]{43})/r/(\d+)#p-(\d+)-(\d+)">paragraph (\d+)</a>'
)


async def test_read_posts_the_files_and_citations_link_their_paragraph(
    start_bot: StartBot, matrix_client: Connect
) -> None:
    bot = await start_bot()
    bot.app.settings = replace(
        bot.app.settings, web=WebSettings(enabled=True, public_base_url="https://read.example.org")
    )
    book = await add_hostile_book(bot.app)
    alice = await matrix_client()
    room_id = await group_room(alice, bot)
    await start_plan(alice, room_id, bot, book)
    await bot.app.tick()  # reading 1 opens at once: its meeting is tomorrow

    read = await ask(alice, room_id, bot, "!rg read")
    assert "Read it online: https://read.example.org/g/" in read.body
    files = {
        name: await wait_for_event(alice, lambda e, name=name: e.sender == bot.user_id and e.body == name)
        for name in ("reading-1.epub", "reading-1.html")
    }
    for name, event in files.items():
        content = content_of(event)
        assert content["msgtype"] == "m.file" and content["filename"] == name
        download = await alice.download(mxc=content["url"])
        assert isinstance(download, nio.DownloadResponse)
        if name.endswith(".epub"):
            with zipfile.ZipFile(io.BytesIO(download.body)) as archive:
                assert archive.namelist()[0] == "mimetype"
        else:
            assert 'id="p-1-9"' in download.body.decode()

    found = await ask(alice, room_id, bot, "!rg quote search paragraph")
    formatted = html.unescape(content_of(found)["formatted_body"])
    cited = ANCHOR.findall(formatted)
    assert cited, formatted
    for section, token, reading, anchor_section, anchor_paragraph, paragraph in cited:
        assert (section, reading, anchor_section, anchor_paragraph) == ("1", "1", "1", paragraph)
        assert await web_store.group_for_token(bot.app.db, token) is not None
