"""The service's encoder wrapper keeps the vectors a question repeats: what it hands back must be
the model's own vectors, and no caller may change what the next one gets."""

from __future__ import annotations

import numpy as np

from qabot.service.encoder import SENTENCES_KEPT, LockedEncoder


def test_kept_vectors_are_the_models_and_a_callers_change_does_not_reach_the_next(encoder):
    wrapped = LockedEncoder(encoder)
    question = "How many beds does the new children's hospital have?"
    sentences = ["The hospital has 412 beds.", "It opened in March.", "The hospital has 412 beds."]
    fresh_q = encoder.embed([question], kind="query")
    fresh_s = encoder.embed(sentences, kind="passage")

    first = wrapped.embed([question], kind="query")
    first[0] *= 0  # a caller that changes its vector in place
    again = wrapped.embed([question], kind="query")
    np.testing.assert_allclose(again, fresh_q, atol=1e-6)

    read = wrapped.embed(sentences, kind="passage")
    reread = wrapped.embed(sentences[:2], kind="passage")  # kept: not embedded again
    np.testing.assert_allclose(read, fresh_s, atol=1e-6)
    np.testing.assert_allclose(reread, fresh_s[:2], atol=1e-6)


def test_sentences_kept_are_bounded_and_an_ingest_sized_call_is_not_kept(encoder):
    wrapped = LockedEncoder(encoder)
    many = [f"Sentence number {i} about the budget." for i in range(100)]
    wrapped.embed(many, kind="passage")  # more than a question-time read: passes through
    assert len(wrapped._sentences) == 0
    for start in range(0, SENTENCES_KEPT + 64, 64):
        wrapped.embed([f"Line {i} of the report." for i in range(start, start + 64)], kind="passage")
    assert len(wrapped._sentences) == SENTENCES_KEPT
