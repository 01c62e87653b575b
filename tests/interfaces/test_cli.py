"""The command-line contract other tools rely on: JSON shapes, stdin modes, exit status."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qabot.interfaces.cli.commands import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL
from qabot.interfaces.cli.main import main


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ingest_json_report_and_partial_exit_status(tmp_path, capsys):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.txt").write_text("Bridge opens in Giurgiu\n\nThe new bridge in Giurgiu opened on Sunday.")
    (folder / "b.json").write_text('{"id": "b", "text": "trunc')
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "d"), "ingest", str(folder), "--json")
    report = json.loads(out)
    assert code == EXIT_PARTIAL
    assert set(report) == {"added", "updated", "unchanged", "removed", "duplicates", "failed",
                           "chunks_embedded", "seconds", "fetched", "not_modified", "sources", "fallbacks"}
    assert report["added"] == 1 and report["failed"][0]["source"].endswith("b.json")
    assert "b.json" in err and len(err.strip().splitlines()) == 1


def test_stats_show_search_ask_json(sample_data, capsys, monkeypatch):
    d = ["--data-dir", str(sample_data)]
    code, out, _ = run(capsys, *d, "stats", "--json")
    stats = json.loads(out)
    assert code == EXIT_OK
    assert set(stats) == {
        "articles", "chunks", "model", "dim", "index", "backend", "location", "version", "data_dir",
        "updated_at",
    }
    assert stats["backend"] == "local"
    assert stats["articles"] == 18 and stats["dim"] == 384

    code, out, _ = run(capsys, *d, "show", "pages/minimum-wage-4325-lei.txt", "--json")
    article = json.loads(out)
    assert set(article) == {"article_id", "title", "url", "published", "author", "section", "text", "chunks"}
    assert article["published"] == "2025-05-19" and "4,325 lei" in article["text"]
    monkeypatch.setenv("QABOT_TELEGRAM_USERNAME", "@archive_qa_bot")  # with the bot named: its deep link
    code, out, _ = run(capsys, *d, "show", "pages/minimum-wage-4325-lei.txt", "--json")
    token = hashlib.sha256(b"pages/minimum-wage-4325-lei.txt").hexdigest()[:20]
    assert json.loads(out)["ask_link"] == f"https://t.me/archive_qa_bot?start=a_{token}"
    monkeypatch.delenv("QABOT_TELEGRAM_USERNAME")

    code, out, _ = run(capsys, *d, "search", "tram line Timișoara", "--k", "3", "--json")
    result = json.loads(out)
    assert result["query"] == "tram line Timișoara"
    assert set(result["results"][0]) == {"article_id", "title", "url", "published", "score", "snippet"}
    assert "tram" in result["results"][0]["title"].lower()

    code, out, _ = run(capsys, *d, "ask", "How many visitors did the Lumina Mureșului festival draw?", "--json")
    answer = json.loads(out)
    assert {"question", "answer", "citations", "passages", "latency_ms"} <= set(answer)
    assert "46,000" in answer["answer"]
    assert set(answer["citations"][0]) == {"n", "article_id", "title", "url", "link", "published", "snippet"}


def test_search_and_ask_read_one_query_per_line(sample_data, capsys, monkeypatch):
    d = ["--data-dir", str(sample_data)]
    code, out, _ = run(capsys, *d, "search", "-", stdin="grape harvest\n\nrowing gold\n", monkeypatch=monkeypatch)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == EXIT_OK and [x["query"] for x in lines] == ["grape harvest", "rowing gold"]

    code, out, _ = run(capsys, *d, "ask", "-", stdin="Who scored the hat-trick?\nRecipe for pancakes?\n",
                       monkeypatch=monkeypatch)
    first, second = (json.loads(line) for line in out.splitlines())
    assert "Bălănescu" in first["answer"] and first["citations"]
    assert second["citations"] == [] and "archive" in second["answer"]


def test_missing_index_is_one_clear_line(tmp_path, capsys):
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "empty"), "stats")
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and "qabot ingest" in err


def test_chat_answers_and_handles_commands(sample_data, capsys, monkeypatch):
    from qabot.interfaces.cli.chat import run_chat
    from qabot.settings import Settings

    out = io.StringIO()
    script = "What is the new key interest rate?\n/sources\nand when is the next meeting?\n/reset\n/help\n/quit\n"
    assert run_chat(Settings(data_dir=sample_data), color=False, stdin=io.StringIO(script), stdout=out) == 0
    text = out.getvalue()
    assert "6.25%" in text and "[1]" in text
    assert "Sources:" in text and "9 May 2025" in text
    assert "Conversation cleared." in text and "/sources" in text


def test_chat_builds_the_sample_archive_when_there_is_no_index(tmp_path):
    """The README's first command: a fresh checkout, no index, no token."""
    result = subprocess.run(
        [sys.executable, "-m", "qabot", "--data-dir", str(tmp_path / "fresh"), "chat", "--no-color"],
        input="How long is the new tram line in Timișoara?\n", capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "bundled sample archive" in result.stderr
    assert "6.8 km" in result.stdout


def test_prepare_stores_the_converted_model_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QABOT_CACHE_DIR", str(tmp_path / "cache"))
    code, out, _ = run(capsys, "prepare", "--json")
    stored = Path(json.loads(out)["stored"])
    assert code == EXIT_OK and stored.parent.parent == tmp_path / "cache"
    converted_at = (stored / "model.xml").stat().st_mtime_ns

    code, out, _ = run(capsys, "prepare")
    assert code == EXIT_OK and f"stored in {stored}" in out
    assert (stored / "model.xml").stat().st_mtime_ns == converted_at  # reused, not converted again

    monkeypatch.setenv("QABOT_BACKEND", "torch")
    code, out, _ = run(capsys, "prepare", "--json")
    assert code == EXIT_OK and json.loads(out)["stored"] is None


def test_help_does_not_import_torch():
    code = "import sys, qabot.interfaces.cli.main\ntry:\n    qabot.interfaces.cli.main.main(['--help'])\nexcept SystemExit:\n    pass\nprint('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("False")


@pytest.mark.parametrize("argv", [["ask"], ["search", "x", "--k", "many"]])
def test_usage_errors_exit_2(argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2


def test_refresh_rereads_the_configured_sources(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "archive"
    folder.mkdir()
    page = folder / "port.txt"
    page.write_text("Port of Galați expands\n\nThe port of Galați will add two container berths by 2027.")
    data = ["--data-dir", str(tmp_path / "d")]

    code, _, err = run(capsys, *data, "refresh")
    assert code == EXIT_ERROR and "QABOT_SOURCES" in err

    monkeypatch.setenv("QABOT_SOURCES", str(folder))
    code, out, _ = run(capsys, *data, "refresh", "--json")
    assert code == EXIT_OK and json.loads(out)["added"] == 1
    (folder / "rail.txt").write_text("Rail link to Galați reopens\n\nTrains to Galați run again from May.")
    page.unlink()
    code, out, _ = run(capsys, *data, "refresh", "--prune", "--json")
    report = json.loads(out)
    assert (report["added"], report["removed"], report["unchanged"]) == (1, 1, 0)


SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds not present")
def test_the_seed_page_is_stored_clean(tmp_path, capsys):
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "ingest", str(SEED), "--json")
    assert code == EXIT_OK and json.loads(out)["added"] == 1
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "show", "000_535ad10f67f4ea4c.txt", "--json")
    article = json.loads(out)
    assert article["title"] == ("Combating human trafficking requires solid partnerships between "
                                "governments, NGOs, survivors, US ambassador says")
    stored = article["text"] + " ".join(article["chunks"])
    for chrome in ("Acasă", "Published on", "Proiectul jurnalistic", "Latest articles",
                   "More like this", "trade balance deficit", "Abrudean", "..."):
        assert chrome not in stored
    assert article["text"].rstrip().endswith("in the fight against human trafficking.")
