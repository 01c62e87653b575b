"""Logging for the bot that never shows the bot token.

The token is part of every Bot API URL and python-telegram-bot puts it in some exception
messages (``InvalidToken``), so muting httpx is not enough: every log record is formatted
and scrubbed when it is created, exception text included, before any handler sees it.
"""

from __future__ import annotations

import logging
import traceback

_SECRETS: set[str] = set()
_MASK = "[REDACTED]"


def redact(text: str) -> str:
    """``text`` with every registered secret masked."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


def _scrub(record: logging.LogRecord) -> None:
    if not _SECRETS:
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must still be logged, not crash the caller
        message = f"{record.msg!r} % {record.args!r}"
    record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def protect(secret: str) -> None:
    """Mask ``secret`` in every log record from now on (idempotent)."""
    if not secret:
        return
    first = not _SECRETS
    _SECRETS.add(secret)
    if not first:
        return
    make_record = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _scrub(record)
        return record

    logging.setLogRecordFactory(factory)


def setup_logging(token: str, level: int = logging.INFO) -> None:
    """Log to stderr (unless the caller configured logging), quietly for httpx, token masked."""
    protect(token)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    # httpx logs every request URL at INFO, and the URL holds the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
