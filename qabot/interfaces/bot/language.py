"""The reader's language in Telegram: the question's, else the Telegram client's ``language_code``."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from qabot.text.i18n import translator
from qabot.text.lang import DEFAULT, detect, supported


def client_language(update: Update) -> str | None:
    """The language the reader's Telegram app is set to (``"ro"``, ``"en-GB"``), if it says."""
    return update.effective_user.language_code if update.effective_user else None


def reader_language(update: Update, text: str = "") -> str:
    """The language of ``text`` (what the reader wrote) when it tells, else the client's."""
    hint = client_language(update)
    return detect(text, hint) if text.strip() else supported(hint) or DEFAULT


def gettext_for(update: Update, text: str = "") -> Callable[[str], str]:
    """The ``_`` to write a reply with, in the reader's language."""
    return translator(reader_language(update, text))
