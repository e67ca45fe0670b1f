"""The optional language model, against a fake OpenAI-compatible endpoint on 127.0.0.1: used when its answer is
good, ignored (built-in prompt kept) when it is bad, slow or missing."""

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
from bot.storage import books as book_store

GOOD = "When Collins calls Kronstadt a danger to Petrograd, is he right, and what would the sailors have said?"


@dataclass
class FakeModel:
    answer: str = GOOD
    delay: float = 0.0
    requests: list[dict] = field(default_factory=list)
    url: str = ""


@pytest.fixture
async def model() -> AsyncIterator[FakeModel]:
    fake = FakeModel()

    async def completions(request: web.Request) -> web.Response:
        fake.requests.append(await request.json())
        await asyncio.sleep(fake.delay)
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": fake.answer}}]})

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


def settings_for(fake: FakeModel) -> PromptSettings:
    return PromptSettings(llm_url=fake.url, llm_model="fake-model", timeout_seconds=1)


@pytest.mark.default_library
async def test_a_good_answer_rephrases_and_the_passage_is_always_sent(app: App, model: FakeModel) -> None:
    app.settings = replace(app.settings, prompts=settings_for(model))
    section = await book_store.section(app.db, 5, 9)
    assert section is not None
    prompts = await prompt_service.generated_prompts(app, app.db, section.id)
    assert prompts and all(p.text == GOOD for p in prompts)
    assert all(p.citations for p in prompts)  # the citations stay the generator's
    body = model.requests[0]
    assert body["model"] == "fake-model"
    assert prompts[0].citations[0].excerpt in body["messages"][-1]["content"]
    # the reading-opens post (no model calls in the dispatcher's transaction) reuses the rephrased prompts
    again = await prompt_service.generated_prompts(app, app.db, section.id, use_llm=False, transaction=False)
    assert [p.id for p in again] == [p.id for p in prompts]


@pytest.mark.default_library
async def test_bad_slow_or_missing_answers_fall_back(app: App, model: FakeModel) -> None:
    settings = settings_for(model)
    model.answer = "Kronstadt was crushed in 1921."  # no question mark
    assert await llm.rephrase(settings, "Built-in?", ["passage"]) is None
    model.answer = "Visit https://example.org for the answer?"
    assert await llm.rephrase(settings, "Built-in?", ["passage"]) is None
    model.answer, model.delay = GOOD, 2.5
    assert await llm.rephrase(settings, "Built-in?", ["passage"]) is None  # timed out after 1 s
    gone = PromptSettings(llm_url="http://127.0.0.1:9/v1", llm_model="m", timeout_seconds=1)
    assert await llm.rephrase(gone, "Built-in?", ["passage"]) is None
    assert await llm.rephrase(PromptSettings(), "Built-in?", ["passage"]) is None  # off by default

    model.answer, model.delay = "No question here.", 0.0
    app.settings = replace(app.settings, prompts=settings)
    section = await book_store.section(app.db, 5, 10)
    assert section is not None
    with_model = [p.text for p in await prompt_service.generated_prompts(app, app.db, section.id)]
    builtin = [p.text for p in await prompt_service.generated_prompts(app, app.db, section.id, use_llm=False)]
    assert with_model == builtin and all(t.endswith("?") for t in builtin)
    assert json.dumps(model.requests)  # the model was asked, and its answer refused


def test_the_model_settings_are_checked() -> None:
    assert parse_settings({}).prompts.llm_enabled is False
    with pytest.raises(ConfigError, match=r"prompts\.llm_model is empty"):
        parse_settings({"prompts": {"llm_url": "http://127.0.0.1:11434/v1"}})
    with pytest.raises(ConfigError, match="must start with http"):
        parse_settings({"prompts": {"llm_url": "127.0.0.1:11434", "llm_model": "m"}})
    with pytest.raises(ConfigError, match=r"Unknown key prompts\.llm_urll"):
        parse_settings({"prompts": {"llm_urll": "x"}})
    ok = parse_settings({"prompts": {"llm_url": "http://127.0.0.1:11434/v1", "llm_model": "llama3.2"}})
    assert ok.prompts.llm_enabled and ok.prompts.timeout_seconds == 20
