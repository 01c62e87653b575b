"""The encoder's two runtimes: torch for questions, OpenVINO for bulk embedding."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings import encoder as encoder_module
from embeddings.encoder import SentenceEncoder
from qabot.archive import load_sources
from qabot.chunk import chunk_article
from qabot.models import Article
from qabot.settings import Settings

SAMPLE_ARCHIVE = Path(__file__).resolve().parent.parent / "qabot" / "sample_archive"


@pytest.fixture(scope="module")
def passages(encoder) -> list[str]:
    """Every passage of the sample archive: real lengths from a few words to the full budget."""
    articles = [a for a in load_sources([str(SAMPLE_ARCHIVE)], Settings()) if isinstance(a, Article)]
    return [c.text for a in articles for c in chunk_article(a, encoder.count_tokens, 128, "auto")]


def test_openvino_vectors_match_torch_row_for_row(encoder, passages):
    torch_vectors = SentenceEncoder(backend="torch").embed(passages)
    openvino_vectors = SentenceEncoder(backend="openvino", batch_size=7).embed(passages)

    assert openvino_vectors.shape == torch_vectors.shape == (len(passages), encoder.dim)
    assert np.allclose(np.linalg.norm(openvino_vectors, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(torch_vectors * openvino_vectors, axis=1)
    assert cosine.min() >= 0.999
    # rows come back in the caller's order, not in the length-sorted batch order
    nearest = np.argmax(openvino_vectors @ torch_vectors.T, axis=1)
    assert (nearest == np.arange(len(passages))).all()


def test_auto_keeps_questions_on_torch_and_sends_bulk_to_openvino(encoder, passages, monkeypatch):
    auto = SentenceEncoder()
    auto.embed(["where will the new tram line run?"])
    assert "openvino" not in vars(auto)  # no conversion paid for a question

    monkeypatch.setattr(encoder_module, "BULK_TEXTS", len(passages))
    vectors = auto.embed(passages)
    assert vars(auto)["openvino"] is not None
    assert np.sum(vectors * SentenceEncoder(backend="torch").embed(passages), axis=1).min() >= 0.999

    # once the ingest is over, the OpenVINO copy is dropped and questions are back on torch
    auto.release_bulk_runtime()
    auto.embed(["and the second tram line?"])
    assert "openvino" not in vars(auto)


def test_auto_falls_back_to_torch_when_openvino_is_missing(encoder, passages, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if the package were not installed
    monkeypatch.setattr(encoder_module, "BULK_TEXTS", 1)
    with caplog.at_level(logging.WARNING, logger="embeddings.encoder"):
        vectors = SentenceEncoder().embed(passages[:5])
    assert vectors.shape == (5, encoder.dim)
    assert "OpenVINO unavailable, embedding with torch" in caplog.text

    with pytest.raises(ImportError):
        SentenceEncoder(backend="openvino").embed(passages[:5])
