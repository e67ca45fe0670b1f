"""Optional help from a language model: rephrase a discussion prompt, always given the passage it cites.

Off by default (`[prompts] llm_url` empty). Any OpenAI-compatible chat-completions endpoint works, a local
Ollama included. The answer is only used when it passes `acceptable` — one question, of sensible length,
ending with a question mark, no links — and every failure (no answer in time, an HTTP error, malformed JSON, a
bad answer) returns None so the caller keeps its built-in prompt. Standard library only: the request runs in a
thread with urllib, so the bot needs no HTTP client dependency for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from bot.config import PromptSettings

log = logging.getLogger(__name__)

SYSTEM = (
    "You help a reading group discuss a text. Rewrite the discussion question you are given so that it reads "
    "naturally and invites discussion. Keep it about the quoted passage; do not add facts that are not in the "
    "passage. Answer with the single question only, ending with a question mark."
)
MAX_CHARS = 700


def acceptable(text: str) -> bool:
    """A usable rephrasing: one paragraph, 20–700 characters, ending with "?", no links or markup fences."""
    text = text.strip()
    return (
        20 <= len(text) <= MAX_CHARS
        and text.endswith("?")
        and "\n\n" not in text
        and not re.search(r"https?://|www\.|```", text)
    )


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Any:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


async def rephrase(settings: PromptSettings, prompt: str, passages: Sequence[str]) -> str | None:
    """The model's rephrasing of `prompt`, or None to keep the built-in one."""
    if not settings.llm_enabled:
        return None
    cited = "\n\n".join(f"Passage {i}: {p}" for i, p in enumerate(passages, start=1))
    body = json.dumps(
        {
            "model": settings.llm_model,
            "temperature": 0,
            "stream": False,
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"{cited}\n\nQuestion to rewrite: {prompt}"},
            ],
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
        text = str(data["choices"][0]["message"]["content"]).strip().strip('"').strip()
    except (TimeoutError, OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("language model unavailable, using the built-in prompt: %s", exc)
        return None
    if not acceptable(text):
        log.info("language model answer rejected, using the built-in prompt: %r", text[:200])
        return None
    return text
