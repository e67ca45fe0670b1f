"""A language model as the first source of discussion questions, under a verification gate.

Off by default (`[prompts] llm_url` empty). Any OpenAI-compatible chat-completions endpoint works (a local
Ollama or llama.cpp server, vLLM, a hosted API). The model gets the reading — chunked to `context_chars`, the
paragraphs around its central claims first — its argument model (claims, the views it answers, evidence, who
speaks, book kind) and where the group stands (the chapters read so far), and answers in JSON with questions,
each citing passages. A question is kept only when it passes `verify`: one question; every cited passage, and
every quotation inside the question, verbatim in the readings the group has opened; no name that only later
chapters introduce (no spoilers); no links. Everything else — no answer in time, an HTTP error, malformed JSON,
a question that fails the gate — leaves the built-in prompts in place. Standard library only: the request runs in
a thread with urllib, so the bot needs no HTTP client dependency for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import PromptSettings
from bot.ingest.claims import ArgumentModel, Claim

log = logging.getLogger(__name__)

MAX_CHARS = 700
MAX_QUESTIONS = 4
SYSTEM = (
    "You prepare a reading group's discussion as an experienced discussion leader would. Write questions about "
    "the reading's own argument (or, for fiction, its characters' choices, scenes, narration and themes). Each "
    "question is one question, ends with a question mark, and quotes the reading only verbatim. Never mention "
    "anything from chapters the group has not read. Answer with JSON only: "
    '{"questions": [{"kind": "central|evaluation|dispute|connection|comprehension|application|provenance|'
    'choice|scene|narration|theme", "question": "...", "passages": ["verbatim passage", ...]}]}'
)


@dataclass(frozen=True)
class Opened:
    """A reading the group has opened: what the model may quote and the gate checks against."""

    section_id: int
    book_id: int
    title: str
    position: int
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    passages: tuple[tuple[Opened, int, str], ...]  # (reading, 1-based paragraph, verbatim passage)


def _normal(text: str) -> str:
    """Compare passages the way a reader would: quotation mark styles and spacing do not make a misquotation."""
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return " ".join(text.split())


def locate(passage: str, opened: Sequence[Opened]) -> tuple[Opened, int] | None:
    """Where a passage stands verbatim in the opened readings (reading, 1-based paragraph), or None."""
    needle = _normal(passage).strip(" \"'")
    if len(needle) < 12:
        return None
    for reading in opened:
        for number, text in enumerate(reading.paragraphs, start=1):
            if needle in _normal(text):
                return reading, number
    return None


_QUOTED = re.compile(r"[“\"]([^”\"]{3,})[”\"]")


def verify(
    kind: str, text: str, passages: Sequence[str], opened: Sequence[Opened], unseen_names: frozenset[str]
) -> Question | str:
    """The question when it passes the gate, else why not (for the log)."""
    text = " ".join(text.split())
    outside = _QUOTED.sub(" ", text)
    if not 20 <= len(text) <= MAX_CHARS or not text.endswith("?"):
        return "not one question of sensible length ending with a question mark"
    if outside.count("?") != 1:
        return "more than one question"
    if re.search(r"https?://|www\.|```", text):
        return "a link or markup"
    if not passages:
        return "no cited passage"
    found: list[tuple[Opened, int, str]] = []
    for passage in passages:
        where = locate(passage, opened)
        if where is None:
            return f"passage not verbatim in an opened reading: {passage[:60]!r}"
        found.append((where[0], where[1], passage.strip().strip('“”"').strip()))
    for quoted in _QUOTED.findall(text):
        if len(quoted.split()) > 3 and locate(quoted, opened) is None:
            return f"an invented quotation: {quoted[:60]!r}"
    for name in unseen_names:
        if re.search(rf"\b{re.escape(name)}\b", outside):
            return f"a spoiler: {name} only appears in chapters not yet read"
    return Question(kind, text, tuple(found))


def chunk(paragraphs: Sequence[str], model: ArgumentModel, budget: int) -> list[tuple[int, str]]:
    """The reading within `budget` characters: all of it when it fits, else the paragraphs holding its best
    claims and their neighbours, in reading order, numbered as in the reading."""
    if sum(len(p) for p in paragraphs) <= budget:
        return list(enumerate(paragraphs, start=1))
    wanted: list[int] = []
    for claim in model.claims:
        for number in (claim.passage.paragraph, claim.passage.paragraph + 1, claim.passage.paragraph - 1):
            if 1 <= number <= len(paragraphs) and number not in wanted:
                wanted.append(number)
    kept: list[int] = []
    used = 0
    for number in wanted:
        size = len(paragraphs[number - 1])
        if used + size > budget:
            continue
        kept.append(number)
        used += size
    return [(n, paragraphs[n - 1]) for n in sorted(kept)]


def _claim_line(claim: Claim) -> str:
    who = {"editor": "the publishers", "quoted": claim.speaker or "a quoted figure"}.get(claim.voice, "the author")
    extra = f" (answers {claim.opponent})" if claim.opponent else ""
    evidence = f" Evidence offered: “{claim.evidence[0].text}”" if claim.evidence else ""
    return f"- [{claim.kind}, {who}{extra}, ¶{claim.passage.paragraph}] “{claim.text}”{evidence}"


def request_text(
    title: str,
    heading: str,
    authors: Sequence[str],
    model: ArgumentModel,
    chunks: Sequence[tuple[int, str]],
    read_so_far: Sequence[str],
) -> str:
    claims = "\n".join(_claim_line(c) for c in model.claims[:10])
    reading = "\n\n".join(f"¶{n} {text}" for n, text in chunks)
    return (
        f"Book: {title} by {', '.join(authors) or 'an unknown author'} ({model.book_kind}).\n"
        f"This reading: {heading}. The group has read: {'; '.join(read_so_far) or 'nothing before this'}; "
        "it has not read anything after this reading.\n"
        f"Key terms: {', '.join(model.terms)}.\n"
        f"Argument model (best first):\n{claims}\n\n"
        f"The reading:\n{reading}\n\n"
        f"Write up to {MAX_QUESTIONS} discussion questions, the reading's central "
        f"{'claim' if model.book_kind == 'argument' else 'event or idea'} first."
    )


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Any:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


async def complete(settings: PromptSettings, user: str) -> str | None:
    """The model's answer to one request, or None when there is none in time."""
    body = json.dumps(
        {
            "model": settings.llm_model,
            "temperature": 0,
            "stream": False,
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    key = settings.api_key()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = settings.llm_url.rstrip("/") + "/chat/completions"
    try:
        data = await asyncio.wait_for(
            asyncio.to_thread(_post, url, body, headers, settings.timeout_seconds), settings.timeout_seconds + 1
        )
        return str(data["choices"][0]["message"]["content"])
    except (TimeoutError, OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("language model unavailable, using the built-in prompts: %s", exc)
        return None


def parse(answer: str) -> list[dict[str, Any]]:
    """The questions of a JSON answer (a fenced block or bare); [] when it is not the JSON asked for."""
    match = re.search(r"\{.*\}", answer, re.DOTALL)
    if not match:
        return []
    try:
        data = json.loads(match.group(0))
    except ValueError:
        return []
    items = data.get("questions") if isinstance(data, dict) else None
    return [q for q in items if isinstance(q, dict)] if isinstance(items, list) else []


async def write_questions(
    settings: PromptSettings,
    *,
    title: str,
    heading: str,
    authors: Sequence[str],
    model: ArgumentModel,
    reading: Opened,
    opened: Sequence[Opened],
    unseen_names: frozenset[str],
    kinds: Sequence[str],
) -> list[Question]:
    """The model's questions for a reading that pass `verify`; [] when it is off, silent or wrong."""
    if not settings.llm_enabled:
        return []
    chunks = chunk(reading.paragraphs, model, settings.context_chars)
    read_so_far = [f"{o.title} §{o.position}" for o in opened if o.section_id != reading.section_id]
    answer = await complete(settings, request_text(title, heading, authors, model, chunks, read_so_far))
    if answer is None:
        return []
    kept: list[Question] = []
    for item in parse(answer)[:MAX_QUESTIONS]:
        kind = str(item.get("kind", "central"))
        passages = item.get("passages")
        if kind not in kinds or not isinstance(passages, list):
            log.info("language model question refused: unknown kind or no passages: %r", item)
            continue
        checked = verify(kind, str(item.get("question", "")), [str(p) for p in passages], opened, unseen_names)
        if isinstance(checked, str):
            log.info("language model question refused (%s): %r", checked, str(item.get("question", ""))[:200])
            continue
        kept.append(checked)
    return kept
