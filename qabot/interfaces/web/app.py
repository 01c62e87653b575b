"""The ASGI application and ``qabot serve``.

``create_app`` wires the routes, the error handlers (every error is ``{"error", "field"}``
JSON naming what was wrong, never a traceback), CORS for ``QABOT_WEB_ORIGINS`` only and the
body limit. ``serve`` runs it with uvicorn; the access log stays off, so readers' addresses
are not written anywhere (docs/privacy.md).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from qabot.interfaces.web import api, insights, pages
from qabot.interfaces.web.context import Web
from qabot.interfaces.web.security import BodyLimit, error
from qabot.service.qa import QAService
from qabot.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = """Questions answered from the newsroom's archive, each answer cited with the
articles it quotes. Errors are `{"error": "...", "field": "..."}` naming what was wrong."""


def _field_error(exc: RequestValidationError) -> JSONResponse:
    """The first problem, as one line naming the field (``body`` for JSON that is not an object)."""
    first: dict[str, Any] = dict(exc.errors()[0]) if exc.errors() else {"type": "", "loc": ("body",)}
    kind, where = first.get("type", ""), [str(p) for p in first.get("loc", ("body",))]
    if kind == "json_invalid":
        return error(400, "body", "malformed JSON: " + str(first.get("ctx", {}).get("error", "cannot parse")))
    field = where[1] if len(where) > 1 else where[0]  # ("body", "question") -> question; ("body",) -> body
    if kind == "missing":
        return error(422, field, f"{field} is required")
    if kind == "string_too_long":
        return error(422, field, f"{field} is over {first['ctx']['max_length']} characters")
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return error(422, field, f"{field}: {message}")


def create_app(settings: Settings, service: QAService) -> FastAPI:
    """The website over an open service (``wiring.open_service``)."""
    app = FastAPI(title="qabot", description=DESCRIPTION, version="1", docs_url="/docs", redoc_url=None)
    app.state.web = Web.create(settings, service)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(insights.router)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _field_error(exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        field = "path" if exc.status_code in (404, 405) else "request"
        return error(exc.status_code, field, f"{exc.detail}: {request.method} {request.url.path}")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
        return error(500, "request", "the server could not answer this request; it has been logged")

    app.add_middleware(
        CORSMiddleware, allow_origins=settings.web_origins, allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"], max_age=600,
    )
    app.add_middleware(BodyLimit, limit=settings.web_max_body)
    return app


def server_config(app: FastAPI, host: str = "127.0.0.1", port: int = 0):  # noqa: ANN201 - uvicorn.Config
    """uvicorn's settings for the website: no access log (readers' addresses stay unwritten),
    and no proxy headers of uvicorn's own (``security.reader_address`` trusts X-Forwarded-For
    only from QABOT_TRUSTED_PROXIES; uvicorn would trust it from 127.0.0.1)."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning", proxy_headers=False,
                          server_header=False)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Runs the website until SIGTERM or Ctrl-C (``qabot serve``)."""
    import uvicorn

    from qabot.interfaces.cli.chat import open_or_build_sample
    from qabot.text.dates import warm

    service = open_or_build_sample(settings)
    warm()  # dateparser's language data, read now rather than during the first question
    service.encoder.embed(["warm up"], kind="query")  # the model loads (a few seconds) before the first reader
    service.questions.purge()  # questions past QABOT_QUESTION_LOG_DAYS go at start too
    app = create_app(settings, service)
    host, port = host or settings.web_host, port or settings.web_port
    log.warning("qabot serve: http://%s:%d/ (insights %s)", host, port,
                "at /insights" if settings.web_admin_token.get_secret_value() else "off: no QABOT_WEB_ADMIN_TOKEN")
    uvicorn.Server(server_config(app, host, port)).run()
