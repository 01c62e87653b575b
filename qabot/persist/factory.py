"""Chooses the state backend from the settings (the composition root calls this)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qabot.persist.base import StateStore

if TYPE_CHECKING:
    from qabot.settings import Settings


def open_state(settings: Settings) -> StateStore:
    """SQLite in the data folder (a PostgreSQL backend joins here with QABOT_DATABASE_URL)."""
    from qabot.persist.sqlite import SqliteState

    return SqliteState(settings.data_dir)
