"""The composition root: builds the encoder, the store and the service from Settings.

The CLI, the bot, evaluation and the benchmarks build their objects here and nowhere else,
so choosing a backend (an index folder today, PostgreSQL with ``QABOT_DATABASE_URL``) or an
encoder is one decision in one place. Heavy imports stay inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from embeddings.base import Store, StoreWriter
from qabot.errors import ConfigError, DiskFull, IndexDamaged, IndexMissing, WriterBusy
from qabot.settings import Settings

if TYPE_CHECKING:
    from embeddings.encoder import SentenceEncoder
    from qabot.feedback import FeedbackStore
    from qabot.service import QAService


BUSY = "a refresh is already running (another process is writing the index); try again when it ends"
REPAIR_HINT = "see what is wrong and how to repair it with: qabot check"


def rebuild_hint(settings: Settings) -> str:
    return "rebuild it with: qabot ingest --rebuild SOURCE... (or qabot refresh --rebuild)"


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


def build_encoder(settings: Settings) -> SentenceEncoder:
    from embeddings.encoder import SentenceEncoder

    return SentenceEncoder(
        settings.model,
        precision=settings.precision,
        batch_size=settings.batch_size,
        threads=settings.torch_threads,
        question_threads=settings.question_threads,
        backend=settings.backend,
        cache_dir=settings.encoder_cache_dir,
    )


def question_threads(settings: Settings, articles: int) -> int:
    """Threads that embed a question: as set, else (0) every core for a small archive and every
    core but one for a large one. A question's keyword search runs while it is embedded; from
    ``keyword.PRUNE_FROM`` articles it costs about as much as the embedding, and sharing every
    core with it made both slower (docs/scaling-benchmarks.md)."""
    from embeddings.keyword import PRUNE_FROM

    if settings.question_threads:
        return settings.question_threads
    if articles < PRUNE_FROM:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)


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


def build_feedback(settings: Settings) -> FeedbackStore:
    """Votes in the shared state (carrying over an older ``feedback.sqlite`` once)."""
    from qabot.feedback import FeedbackStore
    from qabot.persist import open_state

    return FeedbackStore(open_state(settings), settings.data_dir)


def build_service(
    settings: Settings, encoder: SentenceEncoder | None = None, *, check: bool = True
) -> QAService:
    """The question-answering service; with ``check`` it opens the archive now, so a missing
    index or a model mismatch fails at start with a clear message."""
    from qabot.service import QAService

    service = QAService(settings, encoder)
    if check:
        service.store  # noqa: B018 - fail now, with a clear message, if there is no index
    return service
