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

REPO = Path(__file__).resolve().parents[2]
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




@pytest.mark.skipif(not BBC.exists(), reason="BBC corpus not present in ../shared/corpora")
def test_tiny_archive_on_postgresql(tmp_path: Path, postgres) -> None:
    """The same benchmark through the PostgreSQL backend (the test session's server): it builds
    a database of its own, serves through ``build_service`` and measures the database."""
    out = tmp_path / "figures.json"
    done = run("--backend", "postgresql", "--database-url", postgres.server.get_uri(), "--sizes", "2000",
               "--queries", "30", "--corpus", str(BBC), "--work", str(tmp_path), "--json", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    [row] = json.loads(out.read_text())["rows"]
    assert row["backend"] == "postgresql" and row["index"] == "hnsw"
    assert row["passages"] == 2000 and row["articles"] == 400
    assert row["dense_recall"] >= 0.95  # HNSW against the exact scan of the same vectors
    # Below PRUNE_FROM every word is matched and ranked, as the plain OR query did; the words
    # now go to one tsquery of lexemes, so a hyphenated word's parts may each match alone.
    assert row["keyword_overlap10"] >= 0.99
    assert row["disk_mb"] > 1 and row["search_ms"][0] > 0
