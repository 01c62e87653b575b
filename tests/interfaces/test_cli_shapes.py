"""Lists, comparisons and digests from ``qabot ask``: the text a reader sees in the terminal and
the JSON other tools (the web page) read, suggested questions included."""

from __future__ import annotations

import json
import re

from qabot.interfaces.cli.commands import EXIT_OK
from qabot.interfaces.cli.main import main


def ask(capsys, data, *argv: str) -> str:
    code = main(["--data-dir", str(data), "ask", *argv])
    assert code == EXIT_OK
    return capsys.readouterr().out


def test_a_list_prints_its_heading_and_a_dated_line_per_article(sample_data, capsys):
    out = ask(capsys, sample_data, "Which articles mention Sibiu?")
    lines = out.splitlines()
    assert lines[0] == "Articles mentioning Sibiu:"
    assert lines[1] == "- 2 June 2025: New regional children's hospital opens in Sibiu with 412 beds [1]"
    assert "Sources:" in out and "[1] New regional children's hospital opens in Sibiu with 412 beds — 2025-06-02" in out
    data = json.loads(ask(capsys, sample_data, "Which articles mention Sibiu?", "--json"))
    assert data["kind"] == "list" and data["found"] and data["heading"] == "Articles mentioning Sibiu:"
    assert data["timeline"][0]["published"] == "2025-06-02"
    assert isinstance(data["suggestions"], list)


def test_a_comparison_prints_both_figures_each_dated_and_cited(sample_data, capsys):
    out = ask(capsys, sample_data,
              "What is the difference between the minimum wage increase and the pension increase?")
    lines = out.splitlines()
    assert lines[0] == "Compared:"
    assert re.match(r"- 19 May 2025: .*4,325 lei.* \[1\]$", lines[1])
    assert re.match(r"- 11 June 2025: .*2\.5%.* \[2\]$", lines[2])
    data = json.loads(ask(capsys, sample_data, "Compare the minimum wage increase with the pension increase",
                          "--json"))
    assert data["kind"] == "compare"
    assert [c["published"] for c in data["citations"]] == ["2025-05-19", "2025-06-11"]


def test_a_digest_prints_the_period_s_headlines_newest_first_and_suggestions_come_checked(sample_data, capsys):
    out = ask(capsys, sample_data, "What was the main news in June 2025?")
    lines = out.splitlines()
    assert lines[0] == "The main news, from 1 June 2025 to 30 June 2025:"
    days = [int(d) for d in re.findall(r"^- (\d{1,2}) June 2025: ", out, re.M)]
    assert len(days) == 3 and days == sorted(days, reverse=True)
    data = json.loads(ask(capsys, sample_data, "Why did the central bank cut the rate?", "--json"))
    assert data["suggestions"]
    for question in data["suggestions"]:  # each one answers when asked back
        back = json.loads(ask(capsys, sample_data, question, "--json"))
        assert back["found"] and back["citations"], question
    text = ask(capsys, sample_data, "Why did the central bank cut the rate?")
    assert "You could also ask:\n  - " + data["suggestions"][0] in text
