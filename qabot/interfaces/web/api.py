"""The JSON API: ask, search, articles, status, feedback, and the load balancer's probes.

``POST /api/ask`` returns what ``qabot ask --json`` prints, plus ``conversation`` (send it back
with a follow-up) and ``feedback_id`` (for ``POST /api/feedback``). Answering is CPU-bound, so
at most ``QABOT_WEB_WORKERS`` questions run at once; the rest wait their turn off the event loop.
"""

from __future__ import annotations

import argparse
from functools import partial
from typing import Literal

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from qabot.interfaces.cli.args import date_arg
from qabot.interfaces.cli.render import answer_json, hit_json
from qabot.interfaces.web import conversations
from qabot.interfaces.web.context import Web
from qabot.interfaces.web.security import error, foreign_origin, limited, reader_address

MAX_QUESTION = 1000
router = APIRouter()


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be empty")
    return value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: str = Field(max_length=MAX_QUESTION, description="The reader's question.")
    conversation: str | None = Field(None, description="The id a previous answer returned: a follow-up.")
    article: str | None = Field(None, max_length=2000, description="An article id: ask about this article.")
    since: str | None = Field(None, description="Earliest date: YYYY[-MM[-DD]], today, yesterday, 'N days ago'.")
    until: str | None = Field(None, description="Latest date, the same forms.")
    section: str | None = Field(None, max_length=200, description="Only articles of this section.")
    language: str | None = Field(None, max_length=16, description="The page's language (en, ro): a hint.")

    _question = field_validator("question")(_not_blank)


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    answer: int = Field(description="The feedback_id of the answer.")
    vote: Literal[1, -1] | None = Field(None, description="1 helpful, -1 not helpful.")
    problem: str | None = Field(None, max_length=300, description="Report a problem: a short reason.")

    _problem = field_validator("problem")(_not_blank)


def web_of(request: Request) -> Web:
    return request.app.state.web


def _dates(body: AskRequest) -> dict[str, str | None] | JSONResponse:
    out: dict[str, str | None] = {"section": body.section}
    for name in ("since", "until"):
        value = getattr(body, name)
        try:
            out[name] = date_arg(value) if value else None
        except argparse.ArgumentTypeError as e:
            return error(400, name, str(e))
    return out


@router.post("/api/ask", summary="A cited answer (JSON of `qabot ask --json` plus `conversation`)")
async def ask(body: AskRequest, request: Request) -> JSONResponse:
    web = web_of(request)
    refused = foreign_origin(request, web.settings.web_origins) or limited(
        web.questions, reader_address(request, web.trusted))
    if refused:
        return refused
    if body.conversation:
        key = conversations.verify(web.secret, body.conversation)
        if key is None:
            return error(400, "conversation", "unknown conversation id: start a new conversation without one")
        conversation = body.conversation
    else:
        conversation = conversations.issue(web.secret)
        key = conversations.verify(web.secret, conversation)
    filters = _dates(body)
    if isinstance(filters, JSONResponse):
        return filters
    work = partial(_answer, web, body, str(key), filters)
    data = await anyio.to_thread.run_sync(work, limiter=web.asks)
    if isinstance(data, JSONResponse):
        return data
    return JSONResponse({**data, "conversation": conversation})


def _answer(web: Web, body: AskRequest, key: str, filters: dict) -> dict | JSONResponse:
    """Blocking: the daily cap, the pinned article, the answer, its feedback record."""
    service = web.service
    service.reload_if_changed()  # a refresh in another process published a new version
    if body.article and body.article not in service.store.documents([body.article]):
        return error(404, "article", "no article with that id in the archive")
    if not web.under_daily_cap():
        return error(503, "question", "the archive has answered its questions for today: try again tomorrow")
    if body.article and service.history.article(key) != body.article:
        service.open_article(key, body.article)
    # suggestions: up to three follow-ups the archive was checked to answer, shown as chips
    answer = service.ask(body.question, key, **filters, language=body.language or None, suggest=True)
    sources = [{"title": c.title, "url": c.link or c.url, "published": c.published} for c in answer.citations]
    feedback_id = web.feedback.record_answer(0, None, answer.question, answer.answer, sources)
    return {**answer_json(answer), "feedback_id": feedback_id}


@router.get("/api/search", summary="Matching articles, one per article")
async def search(
    request: Request, q: str = Query(max_length=MAX_QUESTION, description="Words to search for."),
    k: int = Query(10, ge=1, le=50, description="How many articles."),
) -> JSONResponse:
    web = web_of(request)
    if not q.strip():
        return error(400, "q", "empty search: give some words")
    refused = foreign_origin(request, web.settings.web_origins) or limited(
        web.searches, reader_address(request, web.trusted))
    if refused:
        return refused
    hits = await anyio.to_thread.run_sync(partial(web.service.search, q, k), limiter=web.asks)
    return JSONResponse({"query": q, "hits": [hit_json(h) for h in hits]})


@router.get("/api/articles/{article_id:path}", summary="One stored article")
async def article(article_id: str, request: Request) -> JSONResponse:
    found = await anyio.to_thread.run_sync(web_of(request).service.show, article_id)
    if found is None:
        return error(404, "article_id", "no article with that id in the archive")
    found.pop("chunks", None)
    return JSONResponse(found)


@router.get("/api/status", summary="How big and how fresh the archive is (as the bot's /status)")
async def status(request: Request) -> JSONResponse:
    from dataclasses import asdict

    from qabot.interfaces.freshness import freshness

    web = web_of(request)
    info = await anyio.to_thread.run_sync(freshness, web.service)
    return JSONResponse({**asdict(info), "refresh_every_seconds": web.settings.refresh_seconds})


@router.get("/api/suggestions", summary="Up to three questions the archive answers, for a new chat")
async def suggestions(
    request: Request,
    lang: str | None = Query(None, max_length=16, description="The page's language (ro, en): the questions' language."),
) -> JSONResponse:
    """What a new chat offers: each question was asked and answered before it is offered
    (``QAService.suggestions``, cached per index version, day and language)."""
    web = web_of(request)
    found = await anyio.to_thread.run_sync(partial(web.service.suggestions, language=lang))
    return JSONResponse({"suggestions": list(found)})


@router.post("/api/feedback", summary="A vote on an answer, or a problem report with a short reason")
async def feedback(body: FeedbackRequest, request: Request) -> JSONResponse:
    web = web_of(request)
    refused = foreign_origin(request, web.settings.web_origins)
    if refused:
        return refused
    if body.vote is None and body.problem is None:
        return error(400, "vote", "give a vote (1 or -1) or a problem")
    store = web.feedback

    def record() -> bool:
        known = True
        if body.vote is not None:
            known = store.vote(body.answer, 0, body.vote)  # one vote per answer: only its reader has the id
        if known and body.problem is not None:
            known = store.report(body.answer, body.problem.strip())
        return known

    if not await anyio.to_thread.run_sync(record):
        return error(404, "answer", "no answer with that feedback_id")
    return JSONResponse({"ok": True})


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict:
    return {"ok": True}


@router.get("/readyz", summary="The archive is open and answering")
async def readyz(request: Request) -> JSONResponse:
    from qabot.errors import QabotError

    def probe() -> int:
        return web_of(request).service.store.stats().documents

    try:
        articles = await anyio.to_thread.run_sync(probe)
    except QabotError as e:
        return JSONResponse({"ready": False, "error": str(e)}, status_code=503)
    return JSONResponse({"ready": True, "articles": articles})
