"""The website's guards: who the reader is (X-Forwarded-For only from trusted proxies), the
per-reader rate limit, the request body limit, the pages' Content-Security-Policy, and the
editors' admin token and session.

The admin token is compared in constant time and never written to a log, an error or a
cookie: a session cookie holds an expiry and an HMAC over it and a hash of the token, so
changing the token ends every session.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from qabot.interfaces.ratelimit import RateLimiter
from qabot.settings import Settings

SESSION_COOKIE = "qabot_admin"
SESSION_SECONDS = 8 * 3600
# Pages run only their own scripts; styles may be inline (the widget's Shadow DOM and the
# charts carry theirs); no frames of other sites, no form posted elsewhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "strict-origin-when-cross-origin"}


def error(status: int, field: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one shape of every error: ``{"error": message, "field": what was wrong}``."""
    return JSONResponse({"error": message, "field": field}, status_code=status, headers=headers)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: list[str]) -> list[Network]:
    """QABOT_TRUSTED_PROXIES as networks; a bad entry is one line naming it."""
    from qabot.errors import ConfigError

    out = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ConfigError(f"QABOT_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return out


def _trusted(address: str, trusted: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def reader_address(request: Request, trusted: list[Network]) -> str:
    """The reader's address: the peer, or, when the peer is a trusted proxy, the last address
    in X-Forwarded-For that is not one of the proxies (a reader can prepend anything)."""
    peer = request.client.host if request.client else ""
    if not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def foreign_origin(request: Request, origins: list[str]) -> JSONResponse | None:
    """A 403 for a browser request from a page of another site than ours or QABOT_WEB_ORIGINS.
    CORS already keeps such a page from reading the answer; this keeps it from spending the
    readers' budget too. Requests without an Origin (curl, servers) pass."""
    origin = request.headers.get("origin")
    if origin is None or origin in origins:
        return None
    own = request.headers.get("host", "")
    if origin.split("://", 1)[-1] == own:
        return None
    return error(403, "Origin", "this site is not allowed to use the archive's API (QABOT_WEB_ORIGINS)")


def limited(limiter: RateLimiter, key: str) -> JSONResponse | None:
    """A 429 with Retry-After when the reader is over the limit, else ``None``."""
    wait = limiter.hit(key)
    if not wait:
        return None
    seconds = math.ceil(wait)
    return error(429, "question", f"too many questions: try again in {seconds} s",
                 headers={"Retry-After": str(seconds)})


# --- editors ---
def _token(settings: Settings) -> str:
    return settings.web_admin_token.get_secret_value()


def _session_mac(secret: bytes, token: str, expiry: int) -> str:
    fingerprint = hashlib.sha256(token.encode()).hexdigest()
    return hmac.new(secret, f"admin:{expiry}:{fingerprint}".encode(), hashlib.sha256).hexdigest()


def check_token(settings: Settings, given: str) -> bool:
    token = _token(settings)
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def session_cookie(settings: Settings, secret: bytes) -> str:
    expiry = int(time.time()) + SESSION_SECONDS
    return f"{expiry}.{_session_mac(secret, _token(settings), expiry)}"


def is_editor(request: Request, settings: Settings, secret: bytes) -> bool:
    """A valid ``Authorization: Bearer`` token or an unexpired session cookie."""
    if not _token(settings):
        return False
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and given:
        return check_token(settings, given.strip())
    expiry, _, mac = request.cookies.get(SESSION_COOKIE, "").partition(".")
    if not expiry.isdigit() or int(expiry) < time.time():
        return False
    return hmac.compare_digest(mac.encode(), _session_mac(secret, _token(settings), int(expiry)).encode())


# --- the body limit (plain ASGI, so it sees the bytes before any parsing) ---
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413, whether announced by
    Content-Length or streamed, before the route reads any of it."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_big = error(413, "body", f"request body over {self.limit} bytes")
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            await too_big(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.limit:
                await too_big(scope, receive, send)
                return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
