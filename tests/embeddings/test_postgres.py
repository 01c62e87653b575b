"""The PostgreSQL backend end to end: stats, a killed refresh, migrating both ways, and the same
answers as the local backend over the same archive."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg
import pytest
from pydantic import SecretStr

from embeddings.factory import open_store
from qabot.settings import Settings
from qabot.wiring import build_service
from tests.embeddings.test_atomic import write_generated

SAMPLE = Path(__file__).resolve().parents[2] / "qabot" / "sample_archive"


def qabot(*argv: str, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    full = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "qabot", *argv], capture_output=True, text=True,
                          timeout=timeout, env=full)


@pytest.fixture
def pg_copy(postgres, sample_index: Path, tmp_path: Path) -> tuple[Path, str]:
    """A private PostgreSQL archive copied from the sample index (no embedding), with its data folder."""
    data = tmp_path / "data"
    shutil.copytree(sample_index, data)
    url = postgres.new_database()
    done = qabot("--data-dir", str(data), "migrate", "--to", url, "--json")
    assert done.returncode == 0, done.stderr
    return data, url


def test_stats_name_the_backend_and_hide_the_password(sample_pg, tmp_path):
    url = sample_pg.replace("postgres:@", "postgres:s3cret@")
    done = qabot("--data-dir", str(tmp_path), "stats", env={"QABOT_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    assert "backend: postgresql" in done.stdout and "index: hnsw" in done.stdout
    assert "articles: 18" in done.stdout
    assert "s3cret" not in done.stdout + done.stderr


def test_passages_keep_their_vectors_and_text_in_the_row(sample_pg):
    """Rescoring reads a question's ~600 candidate vectors: out of line, each cost a TOAST probe
    (docs/scaling-benchmarks.md). The first load changes the vector column's type, which resets
    its storage; the archive must still keep both in the row."""
    with psycopg.connect(sample_pg) as conn:
        storage = dict(conn.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'passages'::regclass"
            " AND attname IN ('embedding', 'text')"
        ).fetchall())
        toasted = conn.execute(
            "SELECT count(*) FROM passages WHERE pg_column_size(embedding) < 4 * vector_dims(embedding)"
        ).fetchone()[0]
    assert storage == {"embedding": "m", "text": "m"}
    assert toasted == 0  # every vector stored whole in its row


def test_unreachable_database_is_one_line(tmp_path):
    url = "postgresql://reader:s3cret@127.0.0.1:1/news"
    done = qabot("--data-dir", str(tmp_path), "search", "wage", env={"QABOT_DATABASE_URL": url})
    assert done.returncode == 1
    assert done.stderr.startswith("qabot: cannot connect to PostgreSQL at postgresql://reader@127.0.0.1:1/news")
    assert len(done.stderr.strip().splitlines()) == 1 and "s3cret" not in done.stderr


def _writer_running(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted").fetchone()[0] > 0


def test_sigkill_during_refresh_leaves_the_previous_archive(pg_copy, tmp_path, encoder):
    data, url = pg_copy
    settings = Settings(data_dir=data, database_url=SecretStr(url))
    before = open_store(url).stats()
    folder = write_generated(tmp_path / "new", 60)
    command = [sys.executable, "-m", "qabot", "--data-dir", str(data), "ingest", str(folder)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "QABOT_DATABASE_URL": url}

    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not _writer_running(url) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # into the refresh: rows written, nothing committed
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    after = open_store(url)
    assert (after.version, after.stats()) == (before.version, before)
    with psycopg.connect(url) as conn:  # no half-written rows of the dead writer's version
        newer = conn.execute("SELECT count(*) FROM passages WHERE version_from > %s",
                             (int(before.version[1:]),)).fetchone()[0]
    assert newer == 0
    answer = build_service(settings, encoder).ask("What is the new policy rate?")
    assert answer.found and "6.25%" in answer.answer

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    assert open_store(url).stats().documents == before.documents + 60


def _snapshot(location) -> dict:
    store = open_store(location)
    ids = sorted(store.content_hashes())
    by_doc = store.passage_ids(ids)
    pids = [i for d in ids for i in by_doc.get(d, [])]
    passages = store.passages(pids)
    return {
        "docs": store.documents(ids),
        "passages": {i: (passages[i].doc_id, passages[i].ord, passages[i].text) for i in pids},
        "vectors": store.passage_vectors(pids),
        "model": store.manifest["model"],
    }


def test_migrate_round_trip_keeps_ids_texts_vectors_and_feedback(pg_copy, sample_index, tmp_path):
    data, url = pg_copy
    from qabot.state.feedback import open_feedback

    local = Settings(data_dir=data)
    feedback = open_feedback(local)
    voted = feedback.record_answer(-100, 7, "Who won the cup?", "Dunărea Albastră [1].")
    feedback.vote(voted, 7, 1)
    # the model is never loaded: a model that does not exist would fail at once
    no_model = {"QABOT_MODEL": str(tmp_path / "no-such-model")}
    done = qabot("--data-dir", str(data), "migrate", "--to", url, "--json", env=no_model)
    assert done.returncode == 0, done.stderr
    back = tmp_path / "back"
    done = qabot("--data-dir", str(tmp_path / "unused"), "migrate", "--to", str(back), "--json",
                 env={**no_model, "QABOT_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr

    original = _snapshot(sample_index / "index")
    for copy in (_snapshot(url), _snapshot(back / "index")):
        assert copy["docs"] == original["docs"]
        assert copy["passages"] == original["passages"]
        assert np.array_equal(copy["vectors"], original["vectors"])
        assert copy["model"] == original["model"]
    returned = open_feedback(Settings(data_dir=back))
    assert returned.question_of(voted) == "Who won the cup?"
    assert returned.totals() == {"up": 1, "down": 0}


def test_both_backends_rank_headline_searches_alike(sample_pg, sample_data, encoder):
    local = build_service(Settings(data_dir=sample_data), encoder)
    pg = build_service(Settings(data_dir=sample_data, database_url=SecretStr(sample_pg)), encoder)
    titles = [d.title for d in local.store.documents(local.store.content_hashes()).values() if d.title]
    queries = titles + [" ".join(t.split()[:3]) for t in titles]
    agree = [local.search(q, 1)[0].article_id == pg.search(q, 1)[0].article_id for q in queries]
    assert len(queries) >= 30 and sum(agree) / len(agree) >= 0.95, sum(agree) / len(agree)
