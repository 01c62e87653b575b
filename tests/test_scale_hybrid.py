"""benchmarks/scale_hybrid.py at a tiny size: it builds, serves and prints its figures.

Reads the BBC corpus from ../shared (or ``BBC_CORPUS``) and skips without it. No timing is
asserted: the figures are the benchmark's output, not a test's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "scale_hybrid.py"
BBC = Path(os.environ.get("BBC_CORPUS") or REPO.parent / "shared" / "corpora" / "bbc" / "articles.jsonl")


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QABOT_")}
    env["HF_HUB_OFFLINE"] = "1"
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          env=env, timeout=900)


def test_without_the_corpus_it_says_so_and_succeeds(tmp_path: Path) -> None:
    done = run("--corpus", str(tmp_path / "absent.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "skipped: no BBC corpus" in done.stdout


@pytest.mark.skipif(not BBC.exists(), reason="BBC corpus not present in ../shared/corpora")
def test_tiny_archive_prints_figures_with_exact_recall(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = run("--sizes", "2000", "--queries", "30", "--corpus", str(BBC), "--json", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.split()[:1] == ["passages"] for line in lines)  # the table header
    rows = json.loads(out.read_text())["rows"]
    assert [r["keyword"] for r in rows] == ["before", "after"]
    for r in rows:
        assert r["passages"] == 2000 and r["articles"] == 400
        assert r["index"] == "flat" and r["dense_recall"] == 1.0  # a flat scan is the exact search
        assert r["search_ms"][0] > 0 and r["ask_ms"][1] >= r["ask_ms"][0] > 0
        assert r["disk_mb"] > 0 and r["serve_peak_mb"] > 100  # the model is loaded
        assert any(line.split()[:3] == ["2000", "400", r["keyword"]] for line in lines)
    # Below PRUNE_FROM documents the new keyword search must list what the old one listed.
    assert rows[1]["keyword_overlap10"] == 1.0


def test_large_archive_keyword_search_ignores_words_in_most_documents(tmp_path: Path) -> None:
    """From PRUNE_FROM documents on, a word in half the archive or more is left out of the
    keyword query (BM25 gives it no weight, and its posting list is what grows): the documents
    that match the telling words rank as before, and no longer trail every other document."""
    import numpy as np

    from embeddings.factory import open_store, open_writer
    from embeddings.local.docstore import PRUNE_FROM
    from embeddings.records import Document

    bridges = {17, 4242, 9001}
    with open_writer(tmp_path, model_id="test-model") as writer:
        for i in range(PRUNE_FROM):
            topic = "the new Olt bridge opened to traffic" if i in bridges else f"item {i} of the agenda"
            doc = Document(f"d{i}", f"Council minutes {i}", f"The town council met. Discussed {topic}.",
                           published="2025-01-01", content_hash=str(i), body_hash=str(i))
            writer.put(doc, [doc.text], np.eye(1, 8, i % 8, dtype=np.float32))
        writer.commit()
    store = open_store(tmp_path, model_id="test-model")
    try:
        found = store.keyword_search("council bridge", 100)
        assert {d for d, _ in found} == {f"d{i}" for i in bridges}
        assert store.keyword_search("bridge", 100) == found  # "council" adds nothing
        everywhere = store.keyword_search("town council", 5)  # every word common: still answers
        assert len(everywhere) == 5
    finally:
        store.close()
