"""Publishing is atomic: a writer killed at any moment leaves the previous version live and whole."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from embeddings.local import LocalStore as Store
from qabot.ingest.pipeline import index_dir
from qabot.service.qa import QAService
from qabot.settings import Settings
from qabot.wiring import open_service

TOWNS = ["Arad", "Bacău", "Craiova", "Deva", "Galați", "Iași", "Oradea", "Pitești", "Suceava", "Tulcea"]
TOPICS = ["bus depot", "water plant", "sports hall", "bypass road", "school campus", "tram line"]


def write_generated(folder: Path, count: int) -> Path:
    """Fictional one-paragraph stories, different enough not to count as duplicates."""
    rng = random.Random(7)
    folder.mkdir(parents=True)
    for i in range(count):
        town, topic = rng.choice(TOWNS), rng.choice(TOPICS)
        cost = rng.randint(10, 900)
        (folder / f"story-{i:03d}.txt").write_text(
            f"{town} council approves new {topic}, story {i}\n\n"
            f"The council of {town} approved a new {topic} worth {cost} million lei on day {i}. "
            f"Works start next spring and should take {rng.randint(6, 40)} months, the mayor said. "
            f"Councillors voted {rng.randint(15, 30)} to {rng.randint(0, 9)} for the plan.",
            encoding="utf-8",
        )
    return folder


def assert_consistent(data_dir: Path) -> int:
    """Every stored chunk has its vector and nothing else is in FAISS; returns the article count."""
    store = Store.open(index_dir(Settings(data_dir=data_dir)))
    counts = store.docs.counts()
    ids = [r[0] for r in store.docs._query("SELECT id FROM chunks")]
    assert len(store.vectors) == counts["chunks"] == len(ids)
    assert store.vectors.contains(np.asarray(ids, dtype=np.int64)).all()
    assert store.manifest["counts"] == counts
    return counts["documents"]


def test_sigkill_during_ingest_leaves_the_previous_version(tmp_path, sample_data, encoder):
    before = assert_consistent(sample_data)
    folder = write_generated(tmp_path / "new", 60)
    root = index_dir(Settings(data_dir=sample_data))
    command = [sys.executable, "-m", "qabot", "--data-dir", str(sample_data), "ingest", str(folder)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}

    outcomes = []
    for delay in (0.0, 0.3, 1.0):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not any(root.glob(".tmp-*")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcomes.append(process.returncode)
        articles = assert_consistent(sample_data)
        assert articles in (before, before + 60)
        if articles == before + 60:
            break
        # the live version still answers
        answer = open_service(Settings(data_dir=sample_data), encoder).ask("What is the new policy rate?")
        assert answer.found and "6.25%" in answer.answer

    assert -signal.SIGKILL in outcomes
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert assert_consistent(sample_data) == before + 60
    assert not any(root.glob(".tmp-*"))
    hits = open_service(Settings(data_dir=sample_data), encoder).search("Tulcea council new tram line")
    assert hits and "Tulcea" in hits[0].title


def test_a_reader_keeps_its_version_while_a_writer_publishes(tmp_path, sample_data, encoder):
    settings = Settings(data_dir=sample_data)
    reader = open_service(settings, encoder)
    old_version = reader.store.version

    QAService(settings, encoder).ingest([str(write_generated(tmp_path / "more", 3))])

    assert reader.store.version == old_version
    assert reader.ask("What is the new policy rate?").found
    assert reader.reload_if_changed() is True
    assert reader.store.version != old_version
    assert reader.stats()["articles"] == assert_consistent(sample_data)


def test_two_writers_cannot_interleave(sample_data):
    from embeddings.errors import StoreLocked
    from embeddings.local import LocalWriter as StoreWriter

    root = index_dir(Settings(data_dir=sample_data))
    with StoreWriter(root, model_id="sentence-transformers/all-MiniLM-L6-v2"):
        with pytest.raises(StoreLocked):
            with StoreWriter(root, model_id="sentence-transformers/all-MiniLM-L6-v2"):
                pass
