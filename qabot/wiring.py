"""The composition root: builds the encoder, the store and the service from Settings.

The CLI, the bot, evaluation and the benchmarks build their objects here and nowhere else,
so choosing a backend (an index folder today, PostgreSQL with ``QABOT_DATABASE_URL``) or an
encoder is one decision in one place. Heavy imports stay inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qabot.settings import Settings

MULTILINGUAL = "multilingual"  # QABOT_MODEL value for the multilingual model

if TYPE_CHECKING:
    from embeddings.encoders.e5 import E5Encoder
    from embeddings.encoders.sentence import SentenceEncoder
    from qabot.service.qa import QAService


def build_encoder(settings: Settings) -> SentenceEncoder | E5Encoder:
    """The encoder ``QABOT_MODEL`` names: ``multilingual`` is multilingual-e5-small (questions
    and archives in Romanian, English and about 100 other languages), anything else a
    sentence-transformers model (empty: the packaged all-MiniLM-L6-v2)."""
    if settings.model.strip().lower() == MULTILINGUAL:
        from embeddings.encoders.e5 import E5Encoder

        return E5Encoder(
            batch_size=settings.batch_size, threads=settings.torch_threads,
            question_threads=settings.question_threads,
        )
    from embeddings.encoders.sentence import SentenceEncoder

    return SentenceEncoder(
        settings.model,
        precision=settings.precision,
        batch_size=settings.batch_size,
        threads=settings.torch_threads,
        question_threads=settings.question_threads,
        backend=settings.backend,
        cache_dir=settings.encoder_cache_dir,
    )


def build_service(
    settings: Settings, encoder: SentenceEncoder | E5Encoder | None = None, *, check: bool = True
) -> QAService:
    """The question-answering service; with ``check`` it opens the archive now, so a missing
    index or a model mismatch fails at start with a clear message."""
    from qabot.service.qa import QAService

    service = QAService(settings, encoder or build_encoder(settings))
    if check:
        service.store  # noqa: B018 - fail now, with a clear message, if there is no index
    return service


def open_service(settings: Settings, encoder: SentenceEncoder | E5Encoder | None = None) -> QAService:
    """The service a long-running interface answers from: opened now, and dateparser's language
    data and the language detector (about 1.3 s) loaded before the first question rather than
    during it."""
    from qabot.text.dates import warm
    from qabot.text.lang import detect

    service = build_service(settings, encoder)
    warm()
    detect("Which articles mention the harbour bridge?")
    return service
