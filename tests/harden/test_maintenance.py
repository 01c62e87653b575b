"""reindex, export and check (issue 12), with real FAISS, SQLite and the packaged model."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from embeddings.local.faiss_index import VectorIndex
from embeddings.local.folder import IndexFolder
from qabot.ingest.pipeline import index_dir, ingest
from qabot.interfaces.cli.commands import EXIT_ERROR, EXIT_OK
from qabot.interfaces.cli.main import main
from qabot.settings import Settings
from qabot.wiring import open_service
from tests.embeddings.test_atomic import assert_consistent, write_generated

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def live(data: Path) -> Path:
    path = IndexFolder(index_dir(Settings(data_dir=data))).current()
    assert path is not None
    return path


def test_reindex_applies_new_chunking_and_keeps_every_article(sample_data, capsys, monkeypatch):
    before = json.loads((live(sample_data) / "manifest.json").read_text())
    monkeypatch.setenv("QABOT_CHUNK_TOKENS", "48")
    code = main(["--data-dir", str(sample_data), "reindex", "--json"])
    report = json.loads(capsys.readouterr().out)
    after = json.loads((live(sample_data) / "manifest.json").read_text())
    assert code == EXIT_OK and report["articles"] == 18
    assert after["settings"]["chunk_tokens"] == 48 and after["version"] != before["version"]
    assert after["counts"]["chunks"] > before["counts"]["chunks"]
    assert assert_consistent(sample_data) == 18
    answer = open_service(Settings(data_dir=sample_data)).ask("What is the new policy rate?")
    assert answer.found and "6.25%" in answer.answer


def test_reindex_rebuilds_an_index_made_with_another_model(sample_data, capsys):
    manifest = live(sample_data) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["model"] = "someone/old-model"
    manifest.write_text(json.dumps(data))
    assert main(["--data-dir", str(sample_data), "stats"]) == EXIT_ERROR
    assert "qabot" in capsys.readouterr().err
    assert main(["--data-dir", str(sample_data), "reindex"]) == EXIT_OK
    assert "reindexed 18 articles" in capsys.readouterr().out
    assert open_service(Settings(data_dir=sample_data)).stats()["articles"] == 18


def test_export_then_ingest_gives_the_same_articles(sample_data, tmp_path, encoder, capsys):
    out = tmp_path / "backup.jsonl"
    assert main(["--data-dir", str(sample_data), "export", "--out", str(out)]) == EXIT_OK
    assert len(out.read_text().splitlines()) == 18
    restored = Settings(data_dir=tmp_path / "restored")
    report = ingest([str(out)], restored, encoder)
    assert not report.failed and report.added == 18

    def articles(data: Path) -> dict:
        store = open_service(Settings(data_dir=data), encoder).store
        return {d.doc_id: (d.title, d.published, d.section, d.text, d.meta.get("url"), d.meta.get("author"))
                for d in store.documents(store.content_hashes()).values()}

    assert articles(restored.data_dir) == articles(sample_data)


def test_check_passes_a_whole_index(sample_data, capsys):
    assert main(["--data-dir", str(sample_data), "check", "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["articles"] == 18 and report["chunks"] == report["vectors"] > 0


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize("name,repair", [("vectors.faiss", "qabot reindex"), ("docs.sqlite", "--rebuild")])
def test_a_truncated_file_is_one_line_for_every_command_and_check_says_how_to_repair(
    sample_data, tmp_path, name, repair
):
    _truncate(live(sample_data) / name)
    for argv in (["stats"], ["search", "tram"], ["ask", "tram line?"], ["show", "x"], ["export"],
                 ["ingest", str(tmp_path / "none.txt")]):
        done = subprocess.run([sys.executable, "-m", "qabot", "--data-dir", str(sample_data), *argv],
                              capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=120)
        assert done.returncode == EXIT_ERROR, (argv, done.stderr)
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert name in done.stderr and "qabot check" in done.stderr
    done = subprocess.run([sys.executable, "-m", "qabot", "--data-dir", str(sample_data), "check"],
                          capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=120)
    assert done.returncode == EXIT_ERROR and name in done.stdout and repair in done.stdout


def test_check_finds_vectors_without_passages_and_a_stale_keyword_index(sample_data, capsys):
    version = live(sample_data)
    vectors = VectorIndex.load(version / "vectors.faiss")
    vectors.remove(np.asarray([int(vectors._ids[0])], dtype=np.int64))
    vectors.save(version / "vectors.faiss")
    db = sqlite3.connect(version / "docs.sqlite")
    row = db.execute("SELECT rowid, title, text FROM documents LIMIT 1").fetchone()
    db.execute("INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)", row)
    db.commit()
    db.close()

    assert main(["--data-dir", str(sample_data), "check", "--json"]) == EXIT_ERROR
    problems = {p["part"]: p for p in json.loads(capsys.readouterr().out)["problems"]}
    assert "1 passages have no vector" in problems["vectors"]["problem"]
    assert "keyword index" in problems["keywords"]["problem"]
    assert "qabot reindex" in problems["vectors"]["fix"]

    assert main(["--data-dir", str(sample_data), "reindex"]) == EXIT_OK
    assert main(["--data-dir", str(sample_data), "check"]) == EXIT_OK


def test_a_server_keeps_its_version_when_a_damaged_one_is_published(sample_data, encoder, caplog):
    service = open_service(Settings(data_dir=sample_data), encoder)
    good = service.store.version
    folder = IndexFolder(index_dir(Settings(data_dir=sample_data)))
    bad = folder.root / "v999999"
    shutil.copytree(live(sample_data), bad)
    _truncate(bad / "vectors.faiss")
    (folder.root / "CURRENT").write_text("v999999\n")
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            service.reload_if_changed()
            assert service.ask("What is the new policy rate?").found
    assert service.store.version == good
    assert len([r for r in caplog.records if "damaged" in r.getMessage()]) == 1


def test_sigkill_during_reindex_leaves_the_previous_version(sample_data, tmp_path, encoder):
    ingest([str(write_generated(tmp_path / "more", 150))], Settings(data_dir=sample_data), encoder)
    articles = assert_consistent(sample_data)
    version = live(sample_data).name
    root = index_dir(Settings(data_dir=sample_data))
    command = [sys.executable, "-m", "qabot", "--data-dir", str(sample_data), "reindex"]
    killed = 0
    for delay in (0.0, 0.5, 1.5):
        process = subprocess.Popen(command, env={**ENV, "QABOT_CHUNK_TOKENS": "40"},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not any(root.glob(".tmp-*")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if process.returncode == -signal.SIGKILL and live(sample_data).name == version:
            killed += 1
        assert assert_consistent(sample_data) == articles
        if live(sample_data).name != version:
            break
        assert open_service(Settings(data_dir=sample_data), encoder).ask("What is the new policy rate?").found
    assert killed >= 1
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert assert_consistent(sample_data) == articles and not any(root.glob(".tmp-*"))
