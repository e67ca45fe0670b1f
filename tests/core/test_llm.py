"""The language model as the first source of questions, against a fake OpenAI-compatible endpoint on 127.0.0.1:
its questions lead when they pass the verification gate, and each bad one (two questions, a misquotation, an
invented quotation, a spoiler, a link, an unknown kind, no JSON) is refused while the built-in prompts stay."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

import pytest
from aiohttp import web

from bot import llm
from bot.app import App
from bot.config import ConfigError, PromptSettings, parse_settings
from bot.services import prompts as prompt_service
from bot.services.books import add_book
from bot.storage import books as book_store
from tests.ingest.test_claims import NOVEL

KRONSTADT = "With Kronstadt out of government control, Petrograd could not be defended."
GOOD = (
    "Collins defends the suppression of Kronstadt because “Petrograd could not be defended” without it; "
    "does the military argument settle the political question the sailors raised?"
)


@dataclass
class FakeModel:
    questions: list[dict] = field(default_factory=list)
    raw: str | None = None  # an answer that is not the JSON asked for
    delay: float = 0.0
    requests: list[dict] = field(default_factory=list)
    url: str = ""


@pytest.fixture
async def model() -> AsyncIterator[FakeModel]:
    fake = FakeModel()

    async def completions(request: web.Request) -> web.Response:
        fake.requests.append(await request.json())
        await asyncio.sleep(fake.delay)
        content = fake.raw if fake.raw is not None else json.dumps({"questions": fake.questions})
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": content}}]})

    web_app = web.Application()
    web_app.router.add_post("/v1/chat/completions", completions)
    runner = web.AppRunner(web_app, shutdown_timeout=0.1)  # do not wait out an answer the test made slow
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.url = f"http://127.0.0.1:{port}/v1"
    yield fake
    await runner.cleanup()


def settings_for(fake: FakeModel, **extra: int) -> PromptSettings:
    return PromptSettings(llm_url=fake.url, llm_model="fake-model", timeout_seconds=1, **extra)  # type: ignore[arg-type]


@pytest.mark.default_library
async def test_good_questions_lead_and_the_model_gets_the_reading_and_its_argument(app: App, model: FakeModel) -> None:
    app.settings = replace(app.settings, prompts=settings_for(model))
    section = await book_store.section(app.db, 5, 9)
    assert section is not None
    model.questions = [{"kind": "central", "question": GOOD, "passages": [KRONSTADT]}]
    prompts = await prompt_service.generated_prompts(app, app.db, section.id)
    first = prompt_service.choose_generated(prompts, None)[0]
    assert first.text == GOOD and first.kind == "central"
    assert [(c.section_id, c.excerpt) for c in first.citations] == [(section.id, KRONSTADT)]
    assert len({p.kind for p in prompts}) >= 3  # the built-in prompts of other kinds stay after it
    body = model.requests[0]
    assert body["model"] == "fake-model"
    sent = body["messages"][-1]["content"]
    assert KRONSTADT in sent and "Argument model" in sent and "has not read anything after" in sent
    # the reading-opens post (no model calls in the dispatcher's transaction) reuses the model's prompts
    again = await prompt_service.generated_prompts(app, app.db, section.id, use_llm=False, transaction=False)
    assert [p.id for p in again] == [p.id for p in prompts]


async def test_the_gate_refuses_each_bad_question(app: App, model: FakeModel) -> None:
    book = await add_book(app.db, app.settings, NOVEL.read_bytes(), NOVEL.name, app.clock.now)
    chapter_one = await book_store.section(app.db, book.id, 1)
    assert chapter_one is not None
    app.settings = replace(app.settings, prompts=settings_for(model))
    builtin = [p.text for p in await prompt_service.generated_prompts(app, app.db, chapter_one.id, use_llm=False)]
    verbatim = "He resolved before he went to bed that he would not call in a single debt"
    model.questions = [
        {"kind": "choice", "question": "Why does Thomas refuse? And would you?", "passages": [verbatim]},
        {"kind": "choice", "question": "Why does Thomas spare his debtors?", "passages": ["He forgave every debt."]},
        {
            "kind": "choice",
            "question": "Thomas says “I shall never be my uncle’s heir in spirit”; what does he mean by it?",
            "passages": [verbatim],
        },
        {"kind": "choice", "question": "Is Thomas right to trust Eleanor already?", "passages": [verbatim]},
        {"kind": "choice", "question": "Why does Thomas wait? See https://example.org?", "passages": [verbatim]},
        {"kind": "trivia", "question": "How old is Thomas when he inherits the mill?", "passages": [verbatim]},
        {"kind": "choice", "question": "Why does Thomas wait before calling in the debts?", "passages": []},
    ]
    with_model = [p.text for p in await prompt_service.generated_prompts(app, app.db, chapter_one.id)]
    assert with_model == builtin  # every one refused: two questions, a misquotation, an invented quotation,
    # a spoiler (Eleanor first appears in chapter III), a link, an unknown kind, no passage
    assert len(model.requests) == 1
    # the same gate lets a good question through: it leads the chapter's prompts
    good = "Why does Thomas resolve to see each farm before calling in a single debt, and what does it cost him?"
    model.questions = [{"kind": "choice", "question": good, "passages": [verbatim]}]
    await app.db.execute("DELETE FROM prompts")
    prompt_service._LIBRARY.clear()
    led = prompt_service.choose_generated(await prompt_service.generated_prompts(app, app.db, chapter_one.id), None)
    assert led[0].text == good and led[0].citations[0].paragraph >= 1

    opened = [llm.Opened(1, 1, "T", 1, ("He resolved before he went to bed that he would not call in a debt.",))]
    ok = llm.verify("choice", "Why does he wait before he acts?", ["he would not call in a debt"], opened, frozenset())
    assert isinstance(ok, llm.Question) and ok.passages[0][1] == 1
    refused = llm.verify(
        "choice", "Does Eleanor agree with him about it?", ["would not call in"], opened, frozenset({"Eleanor"})
    )
    assert "spoiler" in str(refused)
    assert llm.parse("Here are some questions: Why does Thomas wait?") == []


@pytest.mark.default_library
async def test_slow_missing_or_off_models_leave_the_built_in_prompts(app: App, model: FakeModel) -> None:
    section = await book_store.section(app.db, 5, 10)
    assert section is not None
    builtin = [p.text for p in await prompt_service.generated_prompts(app, app.db, section.id, use_llm=False)]
    model.questions = [{"kind": "central", "question": GOOD, "passages": [KRONSTADT]}]
    model.delay = 2.5  # longer than the 1 s timeout
    app.settings = replace(app.settings, prompts=settings_for(model))
    await app.db.execute("DELETE FROM prompts")
    assert [p.text for p in await prompt_service.generated_prompts(app, app.db, section.id)] == builtin
    gone = PromptSettings(llm_url="http://127.0.0.1:9/v1", llm_model="m", timeout_seconds=1)
    assert await llm.complete(gone, "x") is None
    off = await llm.write_questions(
        PromptSettings(),
        title="",
        heading="",
        authors=(),
        model=None,  # type: ignore[arg-type]
        reading=None,
        opened=(),
        unseen_names=frozenset(),
        kinds=(),  # type: ignore[arg-type]
    )
    assert off == []


def test_long_readings_are_chunked_to_the_context_around_their_claims() -> None:
    from bot.ingest.claims import ArgumentModel, Claim, Passage

    paragraphs = [f"Paragraph {n} " + "filler words " * 80 for n in range(1, 41)]
    claim = Claim("thesis", Passage(30, 0, 0, "Paragraph 30"), "author", None, 1.0)
    model = ArgumentModel(1, "argument", (claim,))
    kept = llm.chunk(paragraphs, model, 3500)
    assert [n for n, _ in kept] == [29, 30, 31]
    assert llm.chunk(paragraphs[:2], model, 3500) == list(enumerate(paragraphs[:2], start=1))


def test_the_model_settings_are_checked() -> None:
    assert parse_settings({}).prompts.llm_enabled is False
    with pytest.raises(ConfigError, match=r"prompts\.llm_model is empty"):
        parse_settings({"prompts": {"llm_url": "http://127.0.0.1:11434/v1"}})
    with pytest.raises(ConfigError, match="must start with http"):
        parse_settings({"prompts": {"llm_url": "127.0.0.1:11434", "llm_model": "m"}})
    with pytest.raises(ConfigError, match=r"Unknown key prompts\.llm_urll"):
        parse_settings({"prompts": {"llm_urll": "x"}})
    with pytest.raises(ConfigError, match=r"context_chars"):
        parse_settings({"prompts": {"context_chars": 10}})
    ok = parse_settings({"prompts": {"llm_url": "http://127.0.0.1:11434/v1", "llm_model": "llama3.2"}})
    assert ok.prompts.llm_enabled and ok.prompts.timeout_seconds == 20 and ok.prompts.context_chars == 12000
