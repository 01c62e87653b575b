"""Chooses the state backend from the settings (the composition root calls this)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qabot.state.base import StateStore

if TYPE_CHECKING:
    from qabot.settings import Settings


def open_state(settings: Settings) -> StateStore:
    """PostgreSQL when ``QABOT_DATABASE_URL`` is set (shared by every replica), else SQLite in
    the data folder."""
    url = settings.database_url.get_secret_value()
    if url:
        from qabot.state.postgres import PostgresState

        return PostgresState(url)
    from qabot.state.sqlite import SqliteState

    return SqliteState(settings.data_dir)
