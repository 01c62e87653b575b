"""Who may use the bot and how often: per-user rate limit, admins, allowlist.

All of it runs on the event loop thread, so plain dicts need no locks.
"""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Chat, User

from qabot.interfaces.ratelimit import (
    RateLimiter as RateLimiter,  # re-exported: the bot's handlers use it here
)


def _matches(entries: Iterable[str], user: User | None, chat: Chat | None = None) -> bool:
    ids = {str(user.id)} if user else set()
    names = {f"@{user.username.lower()}"} if user and user.username else set()
    if chat is not None:
        ids.add(str(chat.id))
        if chat.username:
            names.add(f"@{chat.username.lower()}")
    for entry in entries:
        entry = entry.strip()
        if entry.lower() in names or entry in ids or f"@{entry.lower()}" in names:
            return True
    return False


def is_admin(admins: Iterable[str], user: User | None) -> bool:
    """Whether ``user`` is listed in ``telegram_admins`` by id or @username."""
    return user is not None and _matches(admins, user)


def is_allowed(allowlist: list[str], user: User | None, chat: Chat | None) -> bool:
    """No allowlist lets everyone in; otherwise the user or the chat must be on it."""
    return not allowlist or _matches(allowlist, user, chat)
