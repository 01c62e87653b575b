"""Defects a new user hit at the command line (issue 12): each test failed before its fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qabot.interfaces.cli.commands import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from qabot.interfaces.cli.main import main

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def usage_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    assert stop.value.code == EXIT_USAGE
    return capsys.readouterr().err


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_a_usage_error(capsys, tmp_path, question):
    err = usage_error(capsys, "--data-dir", str(tmp_path), "ask", question)
    assert "empty" in err and "QUERY" in err


@pytest.mark.parametrize("flag,value", [("--since", "2025-13-45"), ("--until", "2025-02-30"),
                                        ("--since", "someday"), ("--until", "2025/01/01")])
def test_a_bad_date_is_a_usage_error_naming_it(capsys, tmp_path, flag, value):
    err = usage_error(capsys, "--data-dir", str(tmp_path), "search", "tram", flag, value)
    assert value in err and flag in err


@pytest.mark.parametrize("k", ["-3", "0", "ten"])
def test_a_bad_k_is_a_usage_error_naming_it(capsys, tmp_path, k):
    err = usage_error(capsys, "--data-dir", str(tmp_path), "search", "tram", "--k", k)
    assert k in err and "--k" in err


def test_date_words_mean_what_they_say(sample_data, capsys):
    from datetime import date, timedelta

    from qabot.interfaces.cli.args import date_arg

    assert date_arg("yesterday") == (date.today() - timedelta(days=1)).isoformat()
    assert date_arg("today") == date.today().isoformat()
    assert date_arg("2025-05") == "2025-05" and date_arg("2025") == "2025"
    # a real filter still works through the CLI: the wage story is from May 2025
    code = main(["--data-dir", str(sample_data), "search", "minimum wage", "--since", "2025-05",
                 "--until", "2025-05-31", "--json"])
    ids = [r["article_id"] for r in json.loads(capsys.readouterr().out)["results"]]
    assert code == EXIT_OK and "pages/minimum-wage-4325-lei.txt" in ids


def test_data_dir_and_verbose_are_accepted_after_the_command(sample_data, capsys):
    code = main(["stats", "--json", "--data-dir", str(sample_data), "-v"])
    assert code == EXIT_OK
    assert json.loads(capsys.readouterr().out)["articles"] == 18


def test_search_text_shows_article_ids(sample_data, capsys):
    code = main(["--data-dir", str(sample_data), "search", "minimum wage", "--k", "2"])
    out = capsys.readouterr().out
    assert code == EXIT_OK and "pages/minimum-wage-4325-lei.txt" in out


def test_a_missing_file_is_reported_once(tmp_path):
    missing = tmp_path / "nowhere.txt"
    done = subprocess.run([sys.executable, "-m", "qabot", "--data-dir", str(tmp_path / "d"), "ingest",
                           str(missing)], capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=120)
    assert done.returncode == 3
    lines = [line for line in done.stderr.splitlines() if "nowhere.txt" in line]
    assert len(lines) == 1, done.stderr


def test_closing_the_pipe_exits_quietly(sample_data, tmp_path):
    queries = "\n".join(["tram line", "minimum wage", "festival visitors"] * 400)
    shell = (f"{sys.executable} -m qabot --data-dir {sample_data} search - --k 10 | head -n 1")
    done = subprocess.run(["bash", "-c", shell], input=queries, capture_output=True, text=True,
                          env=ENV, cwd=tmp_path, timeout=300)
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_a_second_writer_gets_one_line_and_exit_1(sample_data, capsys):
    from embeddings.local import LocalWriter as StoreWriter
    from qabot.ingest.pipeline import index_dir
    from qabot.settings import Settings

    archive = REPO / "qabot" / "sample_archive" / "wire.jsonl"
    with StoreWriter(index_dir(Settings(data_dir=sample_data)), model_id="sentence-transformers/all-MiniLM-L6-v2"):
        code = main(["--data-dir", str(sample_data), "ingest", str(archive), "--rebuild"])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.strip() == err.strip().splitlines()[0] and "a refresh is already running" in err
