"""Conversation ids the server issues and only the server can make.

An id is ``<random>.<mac>``: 128 random bits and an HMAC-SHA256 of them under the shared
secret. A forged or altered id fails the check (constant-time) and is refused, so no reader
can read into another's conversation by guessing. The service keys the conversation as
``web:<random>`` in the shared state, where any replica finds its turns.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "web:"


def _mac(secret: bytes, token: str) -> str:
    digest = hmac.new(secret, f"conversation:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def issue(secret: bytes) -> str:
    """A new conversation id for a reader."""
    token = secrets.token_urlsafe(16)
    return f"{token}.{_mac(secret, token)}"


def verify(secret: bytes, conversation: str) -> str | None:
    """The service's conversation key for a genuine id, ``None`` for a forged one."""
    token, dot, mac = conversation.partition(".")
    if not dot or not token or len(conversation) > 100:
        return None
    return PREFIX + token if hmac.compare_digest(mac.encode(), _mac(secret, token).encode()) else None
