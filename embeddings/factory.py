"""Chooses a storage backend by location: a ``postgresql://`` URL or an index folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from embeddings.base import Store, StoreWriter

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def open_store(location: str | Path, *, model_id: str | None = None, serving: bool = False) -> Store:
    """The live version at ``location``; ``NoIndex`` when nothing was published, ``ModelMismatch``
    when it was built with another model than ``model_id``. ``serving``: it will answer
    questions, so a local version reads ahead what filtered searches need (an ingest or a
    migration, which only read, does not)."""
    if is_database_url(location):
        from embeddings.postgres import PostgresStore

        return PostgresStore.open(str(location), model_id=model_id)
    from embeddings.local import LocalStore

    return LocalStore.open(Path(location), model_id=model_id, serving=serving)


def open_writer(
    location: str | Path,
    *,
    model_id: str,
    settings: dict[str, Any] | None = None,
    rebuild: bool = False,
    index_kind: str = "auto",
) -> StoreWriter:
    """A writer for the next version (enter it to take the archive's writer lock).

    ``settings`` (chunking parameters) go into the manifest; ``index_kind`` is the FAISS index
    type of the local backend."""
    if is_database_url(location):
        from embeddings.postgres import PostgresWriter

        return PostgresWriter(str(location), model_id=model_id, settings=settings, rebuild_all=rebuild)
    from embeddings.local import LocalWriter

    return LocalWriter(
        Path(location), model_id=model_id, index_kind=index_kind, settings=settings, rebuild_all=rebuild
    )
