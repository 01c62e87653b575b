"""``qabot migrate --to``: the archive and the shared state, from the configured place to another.

From a data folder to PostgreSQL (``--to postgresql://…``) or back (``--to FOLDER``). Articles,
passages (with their ids) and vectors are copied as they are: nothing is embedded again. The
target's archive is replaced by one new version; state records (feedback, sync...) are copied
over the target's.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from embeddings.factory import is_database_url
from qabot.errors import ConfigError, QabotError
from qabot.settings import Settings


def target_settings(settings: Settings, to: str) -> Settings:
    """The settings that would serve from ``to``."""
    if is_database_url(to):
        return settings.model_copy(update={"database_url": SecretStr(to)})
    return settings.model_copy(update={"database_url": SecretStr(""), "data_dir": Path(to)})


def migrate(settings: Settings, to: str) -> dict[str, object]:
    from embeddings.copy import copy_archive
    from embeddings.errors import StoreError
    from qabot.state import open_state
    from qabot.state.feedback import open_feedback
    from qabot.store import describe_location, open_store, store_location

    target = target_settings(settings, to)
    if str(store_location(target)) == str(store_location(settings)):
        raise ConfigError(f"--to {describe_location(target)} is where the archive already is")
    source = open_store(settings, None)
    try:
        counts = copy_archive(source, str(store_location(target)))
    except StoreError as e:
        raise QabotError(str(e)) from e
    finally:
        source.close()
    open_feedback(settings)  # carries an older feedback.sqlite into the state first
    state, other = open_state(settings), open_state(target)
    copied = 0
    try:
        for ns in state.namespaces():
            for key, value in state.scan(ns):
                other.put(ns, key, value)
                copied += 1
    finally:
        state.close()
        other.close()
    return {**counts, "state": copied, "to": describe_location(target)}
