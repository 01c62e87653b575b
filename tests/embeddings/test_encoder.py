"""The encoder's two runtimes: torch for questions, OpenVINO for bulk embedding."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.encoders import sentence as encoder_module
from embeddings.encoders.sentence import SentenceEncoder
from embeddings.encoders.tokens import ModelTokenizer
from qabot.ingest.chunk import chunk_article
from qabot.ingest.loaders import load_sources
from qabot.models import Article
from qabot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SAMPLE_ARCHIVE = REPO / "qabot" / "sample_archive"


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


def test_auto_sends_bulk_to_openvino_and_questions_once_it_is_stored(encoder, passages, monkeypatch, tmp_path):
    auto = SentenceEncoder(cache_dir=tmp_path / "cache")
    auto.embed(["where will the new tram line run?"])
    assert "openvino" not in vars(auto)  # no conversion paid for a question

    monkeypatch.setattr(encoder_module, "BULK_TEXTS", len(passages))
    vectors = auto.embed(passages)
    assert vars(auto)["openvino"] is not None
    assert np.sum(vectors * SentenceEncoder(backend="torch").embed(passages), axis=1).min() >= 0.999

    # once the ingest is over the bulk copy goes; questions run on the stored model compiled for
    # them, which stays, in this process and in a new one (the bot), with the vector torch gives
    auto.release_bulk_runtime()
    assert "openvino" not in vars(auto)
    asked = auto.embed(["and the second tram line?"])
    runner = vars(auto)["questions"]
    assert runner is not None
    auto.release_bulk_runtime()
    auto.embed(["and the third?"])
    assert vars(auto)["questions"] is runner
    # a large archive leaves a core to the keyword search: the question copy is compiled again
    auto.set_question_threads(1)
    again = auto.embed(["and the second tram line?"])
    threads = vars(auto)["questions"]._request.get_compiled_model().get_property("INFERENCE_NUM_THREADS")
    assert vars(auto)["questions"] is not runner and int(threads) == 1
    assert float((again @ asked.T)[0, 0]) >= 0.999
    serving = SentenceEncoder(cache_dir=tmp_path / "cache")
    question = serving.embed(["and the second tram line?"])
    assert vars(serving)["questions"] is not None and "openvino" not in vars(serving)
    reference = SentenceEncoder(backend="torch").embed(["and the second tram line?"])
    assert float((question @ reference.T)[0, 0]) >= 0.999 and float((asked @ reference.T)[0, 0]) >= 0.999


def test_auto_falls_back_to_torch_when_openvino_is_missing(encoder, passages, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if the package were not installed
    monkeypatch.setattr(encoder_module, "BULK_TEXTS", 1)
    with caplog.at_level(logging.WARNING, logger="embeddings.encoders.sentence"):
        vectors = SentenceEncoder().embed(passages[:5])
    assert vectors.shape == (5, encoder.dim)
    assert "OpenVINO unavailable, embedding with torch" in caplog.text

    with pytest.raises(ImportError):
        SentenceEncoder(backend="openvino").embed(passages[:5])


# Run in a fresh interpreter: reports which heavy modules a stored export needed.
_WARM_INGEST = """
import json, sys
import numpy as np
from embeddings.encoders.sentence import SentenceEncoder
enc = SentenceEncoder(cache_dir=sys.argv[1], batch_size=8)
passages = json.loads(open(sys.argv[2]).read())
counts = enc.count_tokens(passages)
np.save(sys.argv[3], enc.embed(passages))
print(json.dumps({"counts": counts, "max_tokens": enc.max_tokens, "dim": enc.dim,
                  "torch": "torch" in sys.modules, "st": "sentence_transformers" in sys.modules}))
"""


def test_stored_openvino_model_serves_the_next_ingest_without_torch(encoder, passages, tmp_path):
    cache = tmp_path / "cache"
    first = SentenceEncoder(backend="openvino", cache_dir=cache, batch_size=8)
    converted = first.embed(passages)
    stored = list((cache / "openvino").iterdir())
    assert [p.name for p in stored] == [first.export_dir.name]
    assert (first.export_dir / "model.xml").is_file() and (first.export_dir / "tokenizer.json").is_file()

    (tmp_path / "passages.json").write_text(json.dumps(passages))
    run = subprocess.run(
        [sys.executable, "-c", _WARM_INGEST, str(cache), str(tmp_path / "passages.json"), str(tmp_path / "v.npy")],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert not report["torch"] and not report["st"]  # the ~6 s model load is skipped
    assert report["counts"] == encoder.count_tokens(passages)
    assert (report["max_tokens"], report["dim"]) == (encoder.max_tokens, encoder.dim)
    assert np.allclose(np.load(tmp_path / "v.npy"), converted, atol=1e-5)


def test_damaged_stored_model_is_converted_again(encoder, passages, tmp_path, caplog):
    cache = tmp_path / "cache"
    SentenceEncoder(backend="openvino", cache_dir=cache).embed(passages[:3])
    export = next((cache / "openvino").iterdir())
    (export / "model.xml").write_text("<not a model")  # a disk error, an interrupted copy

    with caplog.at_level(logging.WARNING, logger="embeddings.encoders.sentence"):
        vectors = SentenceEncoder(backend="openvino", cache_dir=cache).embed(passages)
    assert "stored OpenVINO model unusable, converting again" in caplog.text
    assert np.sum(vectors * encoder.embed(passages), axis=1).min() >= 0.999
    assert (export / "model.xml").read_text().startswith("<?xml")  # and stored again, whole


def test_stored_model_is_keyed_to_the_model_files(tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(encoder_module.packaged_model_path(), model_dir)
    before = encoder_module.export_key(model_dir)
    assert encoder_module.export_key(model_dir) == before
    config = model_dir / "config.json"
    config.write_text(config.read_text() + "\n")  # new weights or settings under the same name
    assert encoder_module.export_key(model_dir) != before


def test_tokenizer_copy_that_differs_from_the_model_is_refused(encoder):
    copy = ModelTokenizer.from_sentence_transformer(encoder.model)
    assert copy.matches(encoder.model, ["input_ids", "attention_mask", "token_type_ids"])
    short = ModelTokenizer(copy._serialized, max_tokens=64, pad_id=copy.pad_id)  # truncates differently
    assert not short.matches(encoder.model, ["input_ids", "attention_mask", "token_type_ids"])


def test_storing_an_export_keeps_other_installs_exports(encoder, passages, tmp_path):
    """Two installs (other library versions, another model folder) share one cache folder."""
    import os
    import time

    cache = tmp_path / "shared-cache"
    other = cache / "openvino" / "0123456789abcdef"  # another install's export, in use
    other.mkdir(parents=True)
    (other / "meta.json").write_text("{}")
    abandoned = cache / "openvino" / "fedcba9876543210"  # unused for months
    abandoned.mkdir()
    (abandoned / "meta.json").write_text("{}")
    old = time.time() - 90 * 86400
    os.utime(abandoned / "meta.json", (old, old))
    os.utime(abandoned, (old, old))

    SentenceEncoder(backend="openvino", cache_dir=cache).embed(passages[:3])

    names = {p.name for p in (cache / "openvino").iterdir()}
    assert other.name in names and abandoned.name not in names and len(names) == 2
