"""The composition root: builds the encoder, the store and the service from Settings.

The CLI, the bot, evaluation and the benchmarks build their objects here and nowhere else,
so choosing a backend (an index folder today, PostgreSQL with ``QABOT_DATABASE_URL``) or an
encoder is one decision in one place. Heavy imports stay inside the functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from embeddings.base import Store, StoreWriter
from qabot.errors import ConfigError, IndexMissing
from qabot.settings import Settings

if TYPE_CHECKING:
    from embeddings.encoder import SentenceEncoder
    from qabot.feedback import FeedbackStore
    from qabot.service import QAService


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
        backend=settings.backend,
        cache_dir=settings.encoder_cache_dir,
    )


def open_store(settings: Settings, model_id: str | None) -> Store:
    """The live archive, with the store's errors turned into the application's."""
    from embeddings.errors import ModelMismatch, NoIndex, StoreError
    from embeddings.factory import open_store as open_at

    try:
        return open_at(store_location(settings), model_id=model_id)
    except NoIndex as e:
        raise IndexMissing(
            f"no index in {describe_location(settings)}; build one with: qabot ingest SOURCE..."
        ) from e
    except ModelMismatch as e:
        raise ConfigError(f"{e}; {rebuild_hint(settings)}") from e
    except StoreError as e:  # e.g. the database cannot be reached
        raise ConfigError(str(e)) from e


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
