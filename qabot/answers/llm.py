"""Optional generative answers from an OpenAI-compatible chat-completions endpoint.

The extractive answer is always the fallback: any failure here (network, status,
shape, an uncited or wrongly cited answer) returns ``None`` with one warning line,
so a flaky or misbehaving model can only cost quality, never an answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from qabot.settings import Settings

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about a news archive using ONLY the numbered passages in the "
    "user's message. Cite every sentence with the number of the passage it comes from, "
    "like [1] or [1, 3]; cite only numbers that appear in the passages. "
    "Answer in the language of the question, in at most four sentences. "
    "If the passages do not answer the question, say that you do not know; never use "
    "outside knowledge. Earlier turns of the conversation are context for follow-up "
    "questions only; their facts still need a passage to be cited."
)

# [1], [1, 3], [1;2], [2-4]; "[1][2]" is simply two matches.
_CITATION = re.compile(r"\[(\s*\d+(?:\s*[-\u2013,;]\s*\d+)*\s*)\]")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    """One retrieved passage as shown to the model; ``n`` is the reader-facing citation number."""

    n: int
    title: str
    published: str  # ISO date or ""
    url: str
    text: str


class LLMError(Exception):
    """Why a generated answer was rejected; caught inside ``answer`` and logged."""


def endpoint_url(url: str) -> str:
    """Accept the full chat-completions URL or an API base ending in ``/v1``."""
    url = url.strip().rstrip("/")
    if url.endswith("/v1"):
        return url + "/chat/completions"
    return url


def cited_numbers(text: str) -> set[int]:
    """Every passage number the text cites, ranges like ``[2-4]`` expanded."""
    numbers: set[int] = set()
    for group in _CITATION.findall(text):
        for part in re.split(r"[,;]", group):
            ends = [int(x) for x in re.split(r"[-\u2013]", part)]
            low, high = min(ends), max(ends)
            # A bogus "[1-99999]" must not build a huge set; its far end fails the check anyway.
            numbers.update(range(low, high + 1) if high - low <= 50 else (low, high))
    return numbers


def _format_passages(passages: Sequence[Passage]) -> str:
    blocks = []
    for p in passages:
        head = f"[{p.n}] {p.title}".rstrip()
        if p.published:
            head += f" ({p.published})"
        if p.url:
            head += f"\n{p.url}"
        blocks.append(f"{head}\n{p.text.strip()}")
    return "\n\n".join(blocks)


class LLMAnswerer:
    """Writes a short cited answer from retrieved passages, or returns ``None``."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.url = endpoint_url(settings.llm_url)
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        self._key = settings.llm_api_key.get_secret_value()
        self._client = client

    def build_messages(
        self, question: str, passages: Sequence[Passage], history: Sequence[tuple[str, str]] = ()
    ) -> list[dict[str, str]]:
        """System prompt, earlier turns, then the numbered passages and the question."""
        messages = [{"role": "system", "content": SYSTEM_PROMPT}]
        for past_question, past_answer in history:
            # Old citation numbers point at old passages; keeping them invites wrong citations.
            plain = re.sub(r"\s*" + _CITATION.pattern, "", past_answer).strip()
            messages += [
                {"role": "user", "content": past_question},
                {"role": "assistant", "content": plain},
            ]
        user = f"Passages:\n\n{_format_passages(passages)}\n\nQuestion: {question.strip()}"
        messages.append({"role": "user", "content": user})
        return messages

    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[tuple[str, str]] = ()
    ) -> str | None:
        """The cited answer text, or ``None`` (one warning logged) so the caller falls back."""
        if not self.url or not passages:
            return None
        try:
            data = self._post(self.build_messages(question, passages, history))
            return self._check(data, {p.n for p in passages})
        except LLMError as e:
            log.warning("LLM answer from %s not used: %s", self.url, self._redact(str(e)))
            return None

    def _post(self, messages: list[dict[str, str]]) -> object:
        payload = {"model": self.model, "messages": messages, "temperature": 0}
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        try:
            if self._client is not None:
                response = self._client.post(
                    self.url, json=payload, headers=headers, timeout=self.timeout
                )
            else:
                with httpx.Client(timeout=self.timeout) as client:
                    response = client.post(self.url, json=payload, headers=headers)
        except httpx.TimeoutException as e:
            raise LLMError(f"no reply within {self.timeout:g}s") from e
        except httpx.HTTPError as e:
            raise LLMError(f"request failed ({type(e).__name__}: {e})") from e
        if response.status_code != 200:
            raise LLMError(f"HTTP {response.status_code}: {response.text[:200]!r}")
        try:
            return response.json()
        except ValueError as e:
            raise LLMError(f"response is not JSON: {response.text[:200]!r}") from e

    def _check(self, data: object, given: set[int]) -> str:
        try:
            content = data["choices"][0]["message"]["content"]  # type: ignore[index]
        except (KeyError, IndexError, TypeError) as e:
            raise LLMError("response has no choices[0].message.content") from e
        if not isinstance(content, str):
            raise LLMError("message content is not text")
        text = _THINK.sub("", content).strip()
        if not text:
            raise LLMError("empty answer")
        cited = cited_numbers(text)
        if not cited:
            raise LLMError("answer cites no passage")
        unknown = sorted(cited - given)
        if unknown:
            raise LLMError(f"answer cites passages not given: {unknown}")
        return text

    def _redact(self, message: str) -> str:
        # An endpoint may echo the request headers back in an error body.
        return message.replace(self._key, "***") if self._key else message
