"""News-aware answers over a small dated archive of our own (tests/data/dated): the newest
article of a story leads, as-of and timeline questions, people by name with or without
diacritics, dates in the answer, deep links, whole quotations, and honest refusals."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from qabot.wiring import open_service

DATED = Path(__file__).parents[1] / "data" / "dated" / "articles.jsonl"
ARTICLES = {a["id"]: a for a in map(json.loads, DATED.read_text(encoding="utf-8").splitlines())}


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory: pytest.TempPathFactory, encoder) -> Path:
    from qabot.ingest.pipeline import ingest
    from qabot.settings import Settings

    data = tmp_path_factory.mktemp("dated-data")
    report = ingest([str(DATED)], Settings(data_dir=data), encoder)
    assert not report.failed and report.added == len(ARTICLES)
    return data


@pytest.fixture
def news(dated_index: Path, encoder):
    """The service over the dated archive; "as of" only for articles older than ~270 years."""
    from qabot.settings import Settings

    return open_service(Settings(data_dir=dated_index, as_of_days=100_000), encoder)


def first_cited(answer) -> str:
    return answer.citations[0].article_id


def test_a_present_tense_question_leads_with_the_newest_article_and_its_date(news):
    answer = news.ask("What is the central bank's policy rate now?")
    assert answer.found and answer.kind == "latest"
    assert first_cited(answer) == "rate-2026-11"
    assert answer.answer.index("5.75%") < answer.answer.index("(4 November 2026) [1]")
    earlier = answer.answer.split("Earlier: ", 1)  # the story's previous article, marked
    assert len(earlier) == 2 and "6.00%" in earlier[1] and "(10 July 2026) [2]" in earlier[1]
    assert answer.extra["ranking"][0].article_id == "rate-2026-11"


def test_an_as_of_question_leads_with_the_article_of_that_time(news):
    answer = news.ask("What was the policy rate in May 2026?")
    assert answer.kind == "asof" and first_cited(answer) == "rate-2026-05"
    assert "6.25%" in answer.answer
    # a month without a year is the period the figure is about: April's inflation came out in May
    april = news.ask("What was annual inflation in April?")
    assert first_cited(april) == "rate-2026-05" and "5.1%" in april.answer


def test_an_as_of_question_over_part_of_a_year_or_an_event_cites_the_article_of_that_time(news):
    early = news.ask("What was the policy rate in early 2026?")  # January to April: dateparser alone reads "2026"
    assert early.kind == "asof" and first_cited(early) == "rate-2026-02"
    assert early.answer.index("6.50%") < early.answer.index("(6 February 2026) [1]")
    before = news.ask("What was the policy rate before the first cut?")  # the article before the cut's
    assert first_cited(before) == "rate-2026-02" and "6.50%" in before.answer
    after = news.ask("What was the policy rate after the first cut?")
    assert first_cited(after) == "rate-2026-05" and "6.25%" in after.answer


def test_eval_answers_each_question_as_of_its_today(dated_index, tmp_path):
    """"The last quarter" is April to June when asked in August, July to September in December."""
    questions = tmp_path / "q.jsonl"
    asked = "What was the policy rate in the last quarter?"
    questions.write_text("\n".join(json.dumps(q) for q in [
        {"question": asked, "kind": "asof", "expected": ["rate-2026-05"], "answer": "6.25%", "today": "2026-08-15"},
        {"question": asked, "kind": "asof", "expected": ["rate-2026-07"], "answer": "6.00%", "today": "2026-12-01"},
    ]) + "\n", encoding="utf-8")
    data = Path(shutil.copytree(dated_index, tmp_path / "d"))
    run = subprocess.run([sys.executable, "-m", "qabot", "--data-dir", str(data), "eval", "--json", str(questions)],
                         capture_output=True, text=True, timeout=300, check=True)
    assert json.loads(run.stdout)["by_kind"]["asof"] == {"questions": 2, "right": 1.0}
    questions.write_text(json.dumps({"question": asked, "kind": "asof", "today": "1 May"}) + "\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "qabot", "--data-dir", str(data), "eval", str(questions)],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "q.jsonl:1" in bad.stderr and "today" in bad.stderr


def test_a_timeline_question_gets_dated_lines_oldest_first(news):
    answer = news.ask("How has the airport metro line project developed?")
    assert answer.kind == "timeline"
    ids = [c.article_id for c in answer.citations]
    assert ids[:3] == ["metro-2026-03", "metro-2026-06", "metro-2026-10"]
    dates = [e.published for e in answer.timeline]
    assert len(dates) >= 3 and dates == sorted(dates)
    lines = answer.answer.splitlines()
    assert lines[0].startswith("- 12 March 2026: ") and lines[0].endswith("[1]")
    assert all(re.search(r"\[\d\]$", line) for line in lines)


@pytest.mark.parametrize("question", ["Who is Elena Muresan?", "Who is Elena Mureșan?", "elena muresan", "Mureşan"])
def test_a_person_is_introduced_whatever_the_diacritics(news, question):
    answer = news.ask(question)
    assert answer.found and answer.kind == "entity", question
    assert first_cited(answer) == "airport-cluj"
    assert answer.answer.startswith("Cluj-Napoca airport will build") and "director general" in answer.answer
    assert "Mureşan said" in answer.answer  # her quote, attributed


def test_what_a_person_said_comes_as_whole_attributed_quotes(news):
    answer = news.ask("What did Matei Oprisan say about the first cut?")
    assert answer.found and first_cited(answer) == "rate-2026-05"
    text = answer.answer
    assert "„We are cautious. This is a first step, not the start of a cycle,” Oprișan told" in text
    assert text.count("„") == text.count("”")


def test_an_undated_article_says_so_and_an_old_newest_article_says_as_of(news, dated_index, encoder):
    answer = news.ask("When did the Danube Delta become a biosphere reserve?")
    assert first_cited(answer) == "delta-history" and "(undated) [1]" in answer.answer
    from qabot.settings import Settings

    strict = open_service(Settings(data_dir=dated_index, as_of_days=0), encoder)
    assert strict.ask("What is the central bank's policy rate now?").answer.startswith("As of 4 November 2026: ")


@pytest.mark.parametrize("question", [
    "Which chess opening is best for beginners?",  # "chess" is in one festival article
    "Who is Magnus Carlsen?",
    "Who is Elena Ferrante?",  # a first name the archive has, a surname it does not
    "How many moons does Jupiter have?",
    "Who won on Sunday?",  # "Sunday" is in one article, capitalised like a name
])
def test_off_topic_questions_are_refused_even_when_a_word_matches(news, question):
    answer = news.ask(question)
    assert not answer.found, (question, answer.answer)


def test_citations_link_to_the_quoted_sentence(news):
    answer = news.ask("How much will the airport metro line contract cost?")
    c = answer.citations[0]
    assert c.url == ARTICLES[c.article_id]["url"]
    assert c.link.startswith(c.url + "#:~:text=")
    fragment = c.link.split("#:~:text=", 1)[1]
    assert "-" not in fragment and " " not in fragment
    words = [unquote(part) for part in fragment.split(",")]
    assert all(w in ARTICLES[c.article_id]["text"] for w in words)


def test_the_cli_prints_the_dated_list_and_the_json_keeps_url_and_adds_link(dated_index, tmp_path):
    data = Path(shutil.copytree(dated_index, tmp_path / "d"))
    run = [sys.executable, "-m", "qabot", "--data-dir", str(data), "ask"]
    text = subprocess.run([*run, "How has the airport metro line project developed?"],
                          capture_output=True, text=True, timeout=300, check=True).stdout
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines[0].startswith("- 12 March 2026: ") and lines[2].startswith("- 21 October 2026: ")
    assert "#:~:text=" in text  # the sources link to the sentences
    out = json.loads(subprocess.run([*run, "--json", "Who is Elena Muresan?"],
                                    capture_output=True, text=True, timeout=300, check=True).stdout)
    [cited] = [c for c in out["citations"] if c["article_id"] == "airport-cluj"]
    assert cited["url"] == ARTICLES["airport-cluj"]["url"] and cited["link"].startswith(cited["url"] + "#:~:text=")
    assert out["kind"] == "entity"
