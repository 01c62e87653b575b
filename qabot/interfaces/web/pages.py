"""The pages readers see: the full-page "Ask the archive" (``/``, ``/?q=`` asks on load) and
the widget script (``/widget.js``) newsroom pages embed. Both are static files shipped in the
package; the page is the widget in page mode, so they render answers the same way.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qabot.interfaces.web.security import PAGE_HEADERS, error

STATIC = Path(__file__).resolve().parent / "static"
router = APIRouter(include_in_schema=False)
TEXTS = {
    "en": {"title": "Ask the archive", "brand": "The Archive", "nav": "Language",
           "lede": "Questions answered from our reporting, each answer quoting the articles it comes from."},
    "ro": {"title": "Întreabă arhiva", "brand": "Arhiva", "nav": "Limba",
           "lede": "Răspunsuri din articolele noastre, fiecare citând articolele din care provine."},
}
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@cache
def _read(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def page_language(request: Request) -> str:
    """``?lang=`` first, else the browser's first language: Romanian or English."""
    asked = request.query_params.get("lang") or request.headers.get("accept-language", "")
    return "ro" if asked.strip().lower().startswith("ro") else "en"


@router.get("/")
async def page(request: Request) -> HTMLResponse:
    lang = page_language(request)
    text = _read("page.html")
    for key, value in {"lang": lang, **TEXTS[lang]}.items():
        text = text.replace("{" + key + "}", html.escape(value))
    return HTMLResponse(text, headers=PAGE_HEADERS)


@router.get("/widget.js")
async def widget() -> Response:
    # Any site may load the script; the API it calls is what CORS guards.
    return Response(_read("widget.js"), media_type=TYPES[".js"],
                    headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})


@router.get("/static/{name}")
async def static(name: str) -> Response:
    suffix = Path(name).suffix
    if "/" in name or suffix not in TYPES or not (STATIC / name).is_file():
        return error(404, "path", f"no static file {name!r}")
    return Response(_read(name), media_type=TYPES[suffix], headers={"Cache-Control": "public, max-age=300"})
