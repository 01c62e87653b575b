"""A Romanian reader at the command line: refusals, labels and dates in Romanian; the JSON
says the question's language; ``qabot eval`` reports per language."""

from __future__ import annotations

import json

from qabot.interfaces.cli.commands import EXIT_OK
from qabot.interfaces.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_a_romanian_question_is_refused_in_romanian(sample_data, capsys):
    code, out = run(capsys, "--data-dir", str(sample_data), "ask", "Cine a câștigat Turul Franței în 2024?")
    assert code == EXIT_OK
    assert out.startswith("Nu am găsit nimic despre asta în arhivă.")
    assert "Cele mai apropiate articole din arhivă:" in out and "Closest" not in out


def test_a_romanian_answer_has_romanian_labels_and_the_articles_own_words(sample_data, capsys):
    code, out = run(capsys, "--data-dir", str(sample_data), "ask", "Cine este Ioana Preda?")
    assert code == EXIT_OK
    assert "\nSurse:\n" in out and "Sources" not in out
    assert "(3 aprilie 2025)" in out  # the quoted sentence's date, in Romanian
    assert "Transport Minister Ioana Preda" in out  # the quote itself stays in English
    code, out = run(capsys, "--data-dir", str(sample_data), "ask", "Cine este Ioana Preda?", "--json")
    assert json.loads(out)["language"] == "ro"
    code, out = run(capsys, "--data-dir", str(sample_data), "ask", "Who is Ioana Preda?", "--json")
    answer = json.loads(out)
    assert answer["language"] == "en" and "(3 April 2025)" in answer["answer"]


def test_eval_reports_each_language(sample_data, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    lines = [
        {"question": "How many visitors did the Lumina Mureșului festival draw?", "kind": "plain",
         "expected": ["pages/lumina-muresului-festival.txt"], "answer": "46,000"},
        {"question": "Câți vizitatori a avut festivalul Lumina Mureșului?", "kind": "plain",
         "expected": ["pages/lumina-muresului-festival.txt"], "answer": "46,000"},
        {"question": "Cine a câștigat Turul Franței în 2024?", "kind": "offtopic", "language": "ro"},
    ]
    questions.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in lines), encoding="utf-8")
    code, out = run(capsys, "--data-dir", str(sample_data), "eval", str(questions), "--json")
    report = json.loads(out)
    assert code == EXIT_OK
    assert report["by_language"]["en"]["questions"] == 1 and report["by_language"]["ro"]["questions"] == 1
    assert report["by_language"]["ro"]["by_kind"]["offtopic"] == {"questions": 1, "right": 1.0}
    assert report["by_language"]["en"]["by_kind"]["plain"] == {"questions": 1, "right": 1.0}
    code, out = run(capsys, "--data-dir", str(sample_data), "eval", str(questions))
    assert "language ro: questions 1" in out
