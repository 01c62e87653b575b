"""The editors' insights: ``/insights`` (the page, picture first), ``/api/insights`` (the same
figures as JSON), ``/insights.csv`` (the period's questions), behind ``QABOT_WEB_ADMIN_TOKEN``
given as ``Authorization: Bearer`` or once on the login page, which sets a signed session.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from functools import partial
from html import escape
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from qabot.interfaces.web import figures
from qabot.interfaces.web.api import web_of
from qabot.interfaces.web.security import (
    PAGE_HEADERS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    check_token,
    error,
    is_editor,
    session_cookie,
)

router = APIRouter()
Days = Query(7, ge=1, le=365, description="The period: the last N days, today included (UTC).")
STYLE = """body{margin:0;font:15px/1.5 system-ui,sans-serif;background:#faf8f4;color:#1b1b1b}
header{background:#fff;border-bottom:4px solid #a3111d;padding:14px 24px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
h1{font:700 26px/1.2 Georgia,serif;margin:0;flex:1}h2{font:700 19px/1.2 Georgia,serif;margin:0 0 10px}
main{max-width:1100px;margin:0 auto;padding:20px;display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:18px}
section{background:#fff;border:1px solid #e6e3dc;border-radius:12px;padding:16px 18px}section.wide{grid-column:1/-1}
.chart{width:100%;height:auto;font-family:system-ui,sans-serif}.big{font:700 34px/1 Georgia,serif}.kpis{display:flex;gap:28px;flex-wrap:wrap}
.kpis div{min-width:120px}.muted{color:#666;font-size:13px}ul{padding-left:18px;margin:4px 0}table{border-collapse:collapse;width:100%;font-size:14px}
td,th{text-align:left;border-top:1px solid #eee;padding:6px 8px;vertical-align:top}.bad{color:#a3111d;font-weight:600}
.legend span{display:inline-block;width:12px;height:12px;border-radius:2px;margin:0 4px 0 12px;vertical-align:-1px}
form.login{max-width:360px;margin:12vh auto;background:#fff;padding:24px;border-radius:12px;border:1px solid #e6e3dc}
input,button,select{font:inherit;padding:8px 10px;border-radius:8px;border:1px solid #bbb}button{background:#a3111d;color:#fff;border:0;cursor:pointer}
a{color:#3b5b8c}"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>{escape(title)}</title><style>{STYLE}</style>'
        f"</head><body>{body}</body></html>", status_code=status, headers={**PAGE_HEADERS, "Cache-Control": "no-store"})


def _login(message: str = "", status: int = 200) -> HTMLResponse:
    note = f'<p class="bad" role="alert">{escape(message)}</p>' if message else ""
    return _page("Insights: sign in", (
        '<form class="login" method="post" action="/insights/login"><h1>Insights</h1>'
        f'<p class="muted">For editors: the admin token (QABOT_WEB_ADMIN_TOKEN).</p>{note}'
        '<p><label for="token">Admin token</label><br><input id="token" name="token" type="password" '
        'autocomplete="current-password" required style="width:100%"></p><button type="submit">Sign in</button></form>'),
        status)


def _refuse(request: Request) -> Response | None:
    """None for an editor; otherwise why not (insights off: 404; no token: 401)."""
    web = web_of(request)
    if not web.settings.web_admin_token.get_secret_value():
        return error(404, "path", "the insights are off: set QABOT_WEB_ADMIN_TOKEN")
    if is_editor(request, web.settings, web.secret):
        return None
    return error(401, "Authorization", "an editor's admin token is required (Authorization: Bearer, or /insights)",
                 headers={"WWW-Authenticate": "Bearer"})


async def _figures(request: Request, days: int) -> dict:
    web = web_of(request)
    since, until = figures.period(days)
    return await anyio.to_thread.run_sync(partial(figures.insights, web, since, until), limiter=web.asks)


@router.get("/api/insights", summary="The insights figures for the last N days (admin token)")
async def insights_json(request: Request, days: int = Days) -> Response:
    return _refuse(request) or JSONResponse(await _figures(request, days))


@router.get("/insights.csv", summary="The period's questions as CSV (admin token)")
async def insights_csv(request: Request, days: int = Days) -> Response:
    refused = _refuse(request)
    if refused:
        return refused
    web = web_of(request)
    since, until = figures.period(days)
    logged = await anyio.to_thread.run_sync(web.service.questions.between, since, until)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time_utc", "channel", "answered", "kind", "question", "sources"])
    for q in logged:
        when = datetime.fromtimestamp(q.at, timezone.utc).isoformat(timespec="seconds")
        writer.writerow([when, q.channel, "yes" if q.found else "no", q.kind, q.question,
                         " | ".join(f"{s.title} ({s.published})" for s in q.sources)])
    name = f"questions-{since}-{until}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.post("/insights/login", include_in_schema=False)
async def login(request: Request) -> Response:
    web = web_of(request)
    if not web.settings.web_admin_token.get_secret_value():
        return error(404, "path", "the insights are off: set QABOT_WEB_ADMIN_TOKEN")
    given = parse_qs((await request.body()).decode("utf-8", "replace")).get("token", [""])[0]
    if not check_token(web.settings, given):
        return _login("That token is not right.", 401)
    response = RedirectResponse("/insights", status_code=303)
    response.set_cookie(SESSION_COOKIE, session_cookie(web.settings, web.secret), max_age=SESSION_SECONDS,
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/insights/logout", include_in_schema=False)
async def logout() -> Response:
    response = RedirectResponse("/insights", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/insights", include_in_schema=False)
async def insights_page(request: Request, days: int = Days) -> Response:
    refused = _refuse(request)
    if refused is not None:
        return _login() if refused.status_code == 401 else refused
    from qabot.interfaces.web.insights_page import render

    return _page("Insights", render(await _figures(request, days), days))
