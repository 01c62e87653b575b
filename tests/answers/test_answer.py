"""Answers over the sample archive: right article, the fact quoted, honest citations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qabot.interfaces.cli.evaluate import Question, score_questions

QUESTIONS = [
    json.loads(line)
    for line in (Path(__file__).parents[1] / "data" / "sample_questions.jsonl").read_text().splitlines()
    if line.strip()
]
ON_TOPIC = [q for q in QUESTIONS if q["expected"] and "followup" not in q]
OFF_TOPIC = [q for q in QUESTIONS if not q["expected"]]
FOLLOW_UPS = [q for q in QUESTIONS if "followup" in q]


@pytest.fixture(params=["local", "postgres"])
def service(request: pytest.FixtureRequest, sample_data: Path, encoder):
    """Every answer test runs on both storage backends, over the same sample archive."""
    from pydantic import SecretStr

    from qabot.settings import Settings
    from qabot.wiring import build_service

    url = request.getfixturevalue("sample_pg") if request.param == "postgres" else ""
    return build_service(Settings(data_dir=sample_data, database_url=SecretStr(url)), encoder)


def matches(article_id: str, expected: list[str]) -> bool:
    """Expected ids are file names relative to the sample archive, or the URL ids of web pages."""
    return any(article_id == e or article_id.endswith(e) for e in expected)


def test_sample_questions_find_the_article_and_quote_the_fact(service):
    questions = [
        Question(q["question"], frozenset(_stored_ids(service, q["expected"])), q["answer"])
        for q in ON_TOPIC
    ]
    summary = score_questions(service, questions).summary()
    assert summary["recall@1"] >= 0.9, summary
    assert summary["answer_contains"] >= 0.8, summary


def _stored_ids(service, expected: list[str]) -> list[str]:
    ids = list(service.store.content_hashes())
    return [i for i in ids if matches(i, expected)]


@pytest.mark.parametrize("question", [q["question"] for q in OFF_TOPIC])
def test_off_topic_questions_are_not_in_the_archive(service, question):
    answer = service.ask(question)
    assert not answer.found
    assert "archive" in answer.answer and not answer.citations
    assert answer.closest, "the closest headlines are listed"


def test_every_quoted_sentence_is_in_the_article_it_cites(service):
    for q in ON_TOPIC:
        answer = service.ask(q["question"])
        assert answer.found, q["question"]
        texts = {c.n: service.show(c.article_id)["text"] for c in answer.citations}
        norm = lambda s: " ".join(s.split())  # noqa: E731
        for sentence, n in re.findall(r"(.+?) \[(\d+)\]\s*", answer.answer):
            assert norm(quoted(sentence)) in norm(texts[int(n)]), (q["question"], sentence)
        assert [c.n for c in answer.citations] == sorted(c.n for c in answer.citations)


def quoted(sentence: str) -> str:
    """The article's words in an answer sentence: without "As of DATE:", "Earlier:" and "(DATE)"."""
    sentence = re.sub(r"^(?:As of \d{1,2} \w+ \d{4}: )?(?:Earlier: )?", "", sentence.strip())
    return re.sub(r" \((?:\d{1,2} \w+ \d{4}|undated)\)$", "", sentence)


def test_citation_markers_follow_their_order(service):
    answer = service.ask("How many beds does the new children's hospital in Sibiu have?")
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]
    assert markers and markers[0] == 1
    assert {c.n for c in answer.citations} == set(markers)
    assert "412 beds" in answer.answer
    assert answer.citations[0].title.startswith("New regional children's hospital")


@pytest.mark.parametrize("pair", FOLLOW_UPS, ids=lambda p: p["followup"])
def test_a_follow_up_is_understood_from_the_previous_turn(service, pair):
    service.ask(pair["question"], conversation="c1")
    answer = service.ask(pair["followup"], conversation="c1")
    assert answer.found
    assert any(matches(c.article_id, pair["expected"]) for c in answer.citations)
    assert pair["answer"] in answer.answer

    person = pair["question"].split("Minister ")[1].split()[0]  # "Ioana", "Daniela"
    assert person in answer.resolved_question
    service.reset("c1")
    alone = service.ask(pair["followup"], conversation="c1")
    assert person not in alone.resolved_question


def test_follow_up_context_is_per_conversation(service):
    service.ask("How much will the minimum wage rise according to Labour Minister Daniela Stoica?", conversation="a")
    other = service.ask("and what did she say about tolls?", conversation="b")
    mine = service.ask("and what did she say about pensions?", conversation="a")
    assert "2.5%" in mine.answer
    assert service.last_answer("b").answer == other.answer  # the history is stored as JSON


def test_filters_from_flags_restrict_dates_and_sections(service):
    in_range = service.search("minister", 10, since="2025-05-01", until="2025-05-31")
    assert in_range and all("2025-05" <= h.published[:7] <= "2025-05" for h in in_range)
    sport = service.search("final gold win", 10, section="sport")
    assert sport and all(h.section.lower() == "sport" for h in sport)


def test_a_date_in_the_question_filters_the_answer(service):
    answer = service.ask("What did the government decide about electricity prices in June 2025?")
    assert answer.found and answer.citations[0].published.startswith("2025-06")
    march = service.search("What happened with interest rates in March 2025?", 5)
    assert march and all(h.published.startswith("2025-03") for h in march)


def test_a_section_named_in_the_question_filters_softly(service):
    hits = service.search("Which stories in the sport section mention a final?", 5)
    assert hits and all(h.section == "Sport" for h in hits)
    assert service.search("anything about wine in the sport section", 3), "falls back when nothing matches"


def test_search_returns_one_entry_per_article(service):
    hits = service.search("Preda A16 motorway", 10)
    ids = [h.article_id for h in hits]
    assert len(ids) == len(set(ids))
    assert {"pages/a16-motorway-bacau-roman-contract.txt", "pages/preda-senate-hearing-a16-tolls.txt"} <= set(ids[:3])
