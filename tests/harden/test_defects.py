"""Defects outside the argument parser (issue 12): each test failed before its fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qabot.interfaces.cli.commands import EXIT_OK
from qabot.interfaces.cli.main import main
from qabot.settings import Settings
from qabot.wiring import open_service

REPO = Path(__file__).resolve().parents[2]
WIRE = REPO / "qabot" / "sample_archive" / "wire.jsonl"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def test_known_item_eval_never_writes_to_the_configured_index(sample_data, capsys):

    before = open_service(Settings(data_dir=sample_data)).store
    titles = {doc_id: before.documents([doc_id])[doc_id].title for doc_id in before.content_hashes()}
    listing = sorted(p.name for p in sample_data.rglob("*"))

    code = main(["--data-dir", str(sample_data), "eval", "--known-item", str(WIRE), "--json"])

    assert code == EXIT_OK and json.loads(capsys.readouterr().out)["questions"] == 3
    after = open_service(Settings(data_dir=sample_data)).store
    assert after.version == before.version
    assert {doc_id: after.documents([doc_id])[doc_id].title for doc_id in titles} == titles  # no blanked headlines
    assert sorted(p.name for p in sample_data.rglob("*")) == listing


def test_known_item_eval_into_a_folder_when_asked(tmp_path, capsys):
    into = tmp_path / "kept"
    code = main(["--data-dir", str(tmp_path / "d"), "eval", "--known-item", str(WIRE), "--into", str(into)])
    assert code == EXIT_OK and "mrr@10" in capsys.readouterr().out
    assert (into / "index" / "CURRENT").is_file() and not (tmp_path / "d").exists()


def test_size_cap_message_uses_readable_units(tmp_path):
    from qabot.ingest.loaders import load_sources

    page = tmp_path / "big.txt"
    page.write_text("Headline\n\n" + "word " * 400)  # about 2 KB
    errors = list(load_sources([str(page)], Settings(data_dir=tmp_path, max_file_mb=0.001)))
    message = errors[0].error
    assert "0.0 MB" not in message
    assert "2.0 KB" in message and "1.0 KB" in message and "QABOT_MAX_FILE_MB" in message


def test_faiss_loader_lines_do_not_show_at_verbose(sample_data, tmp_path):
    done = subprocess.run([sys.executable, "-m", "qabot", "-v", "--data-dir", str(sample_data), "stats"],
                          capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=120)
    assert done.returncode == 0
    assert "Could not load library" not in done.stderr and "faiss.loader" not in done.stderr


def test_a_file_keeps_its_id_however_it_is_named(tmp_path, encoder):
    from qabot.ingest.pipeline import ingest

    folder = tmp_path / "archive" / "local"
    folder.mkdir(parents=True)
    story = folder / "ferry.txt"
    story.write_text("Ferry starts on Lake Sarmis\n\nAn electric ferry started service on Saturday.")
    settings = Settings(data_dir=tmp_path / "d")
    ingest([str(tmp_path / "archive")], settings, encoder)
    service = open_service(settings, encoder)
    assert list(service.store.content_hashes()) == ["local/ferry.txt"]

    story.write_text("Ferry starts on Lake Sarmis\n\nAn electric ferry started service on Sunday, not Saturday.")
    os.chdir(folder)
    report = ingest(["ferry.txt"], settings, encoder)  # alone, by a relative name
    assert (report.added, report.updated) == (0, 1)
    service.reload_if_changed()
    assert list(service.store.content_hashes()) == ["local/ferry.txt"]
    assert "Sunday" in service.show("local/ferry.txt")["text"]

    report = ingest([str(tmp_path / "archive" / "local")], settings, encoder)  # its own folder
    assert (report.added, report.unchanged) == (0, 1)


def test_a_new_file_given_alone_keeps_that_id_in_its_folder_later(tmp_path, encoder):
    from qabot.ingest.pipeline import ingest

    folder = tmp_path / "archive"
    (folder / "west").mkdir(parents=True)
    story = folder / "west" / "tram.txt"
    story.write_text("Tram line opens\n\nThe new tram line opened in Arad on Monday.")
    settings = Settings(data_dir=tmp_path / "d")
    ingest([str(story)], settings, encoder)
    story.write_text("Tram line opens\n\nThe new tram line opened in Arad on Tuesday.")
    report = ingest([str(folder)], settings, encoder)
    assert (report.added, report.updated) == (0, 1)
    assert list(open_service(settings, encoder).store.content_hashes()) == ["tram.txt"]


def test_chat_says_the_model_is_loading_before_the_first_answer(sample_data, tmp_path):
    done = subprocess.run([sys.executable, "-m", "qabot", "--data-dir", str(sample_data), "chat", "--no-color"],
                          input="What is the new policy rate?\nAnd the one before?\n", capture_output=True,
                          text=True, env=ENV, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("loading the language model") == 1
    assert out.index("loading the language model") < out.index("6.25%")
