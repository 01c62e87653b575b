"""Where the archive lives and how it is opened: the index folder or PostgreSQL, from Settings.

The ingest pipeline, maintenance and the service all open the archive through these functions,
so the store's own errors (no index, another model, a second writer, a full disk, a damaged
file) become the application's one-line errors in one place. Heavy imports stay inside the
functions: ``qabot --help`` loads neither torch nor FAISS.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from embeddings.base import Store, StoreWriter
from qabot.errors import ConfigError, DiskFull, IndexDamaged, IndexMissing, WriterBusy
from qabot.settings import Settings

BUSY = "a refresh is already running (another process is writing the index); try again when it ends"
REPAIR_HINT = "see what is wrong and how to repair it with: qabot check"


def rebuild_hint(settings: Settings) -> str:
    """How to bring an archive built with another model (QABOT_MODEL changed) in step: reindex
    re-embeds what is stored without reading the sources again."""
    return ("re-embed it with the configured model: qabot reindex "
            "(or rebuild from the sources: qabot ingest --rebuild SOURCE... or qabot refresh --rebuild)")


def index_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "index"


def store_location(settings: Settings) -> str | Path:
    """Where the archive lives: PostgreSQL when ``database_url`` is set, else the index folder."""
    url = settings.database_url.get_secret_value()
    return url if url else index_dir(settings)


def describe_location(settings: Settings) -> str:
    """The archive's place for messages: the data folder, or the database without its password."""
    url = settings.database_url.get_secret_value()
    if not url:
        return str(settings.data_dir)
    from embeddings.postgres.db import redact

    return redact(url)


def open_store(settings: Settings, model_id: str | None, *, serving: bool = False) -> Store:
    """The live archive, with the store's errors turned into the application's; ``serving``
    for the service that answers from it (``embeddings.factory.open_store``)."""
    from embeddings.errors import ModelMismatch, NoIndex, StoreError, StoreUnavailable
    from embeddings.factory import open_store as open_at

    try:
        return open_at(store_location(settings), model_id=model_id, serving=serving)
    except NoIndex as e:
        raise IndexMissing(
            f"no index in {describe_location(settings)}; build one with: qabot ingest SOURCE..."
        ) from e
    except ModelMismatch as e:
        raise ConfigError(f"{e}; {rebuild_hint(settings)}") from e
    except StoreUnavailable as e:  # the database cannot be reached, or lacks an extension
        raise ConfigError(str(e)) from e
    except StoreError as e:  # a damaged file: one line naming it and the way to repair it
        raise IndexDamaged(f"{e}; {REPAIR_HINT}") from e


@contextmanager
def writer_errors(settings: Settings) -> Iterator[None]:
    """Turns a writer's errors into the application's: a second writer, another model, a full
    disk, a damaged live version."""
    import sqlite3

    from embeddings.errors import ModelMismatch, StoreError, StoreLocked, StoreUnavailable

    try:
        yield
    except StoreLocked as e:
        raise WriterBusy(BUSY) from e
    except ModelMismatch as e:
        raise ConfigError(f"{e}; {rebuild_hint(settings)}") from e
    except StoreUnavailable as e:
        raise ConfigError(str(e)) from e
    except (OSError, sqlite3.OperationalError, StoreError) as e:
        if _disk_full(e):
            raise DiskFull(
                f"no space left on the device holding {index_dir(settings)}: nothing was published "
                "and the live version is unchanged; free some space and run it again"
            ) from e
        if isinstance(e, StoreError):
            raise IndexDamaged(f"{e}; {REPAIR_HINT}") from e
        raise


def _disk_full(error: BaseException | None) -> bool:
    """ENOSPC anywhere in the chain (faiss and SQLite wrap it in their own errors)."""
    import errno

    while error is not None:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "disk is full" in str(error) or "No space left" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def open_writer(settings: Settings, model_id: str, *, rebuild: bool = False) -> StoreWriter:
    from embeddings.factory import open_writer as writer_at

    chunking = {"chunk_tokens": settings.chunk_tokens, "chunk_overlap": settings.chunk_overlap}
    return writer_at(
        store_location(settings), model_id=model_id, settings=chunking, rebuild=rebuild,
        index_kind=settings.index_type,
    )
