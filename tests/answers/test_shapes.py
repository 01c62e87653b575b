"""Questions that are not one fact from one article, over the bundled sample archive: lists,
comparisons, causes, digests, summaries of a deep-linked article, and suggested questions that
the archive was checked to answer (each asked back here)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from qabot.answers.intent import COMPARE, DIGEST, LIST, SUMMARY, WHY, read_intent
from qabot.text.fold import fold

SIBIU = "pages/sibiu-childrens-hospital-opens.txt"
WAGE = "pages/minimum-wage-4325-lei.txt"
PENSION = "pages/stoica-pension-point-telework.txt"
BNR = "pages/bnr-cuts-policy-rate.txt"
JUNE_12 = date(2025, 6, 12)


@pytest.mark.parametrize(("question", "kind"), [
    ("Which articles mention Sibiu?", LIST),
    ("News about the minimum wage", LIST),
    ("What did we write about the A16 this month?", LIST),
    ("Articles by AGERPRES", LIST),
    ("Which articles were written by Dan Voicu?", LIST),
    ("What is the difference between the minimum wage increase and the pension increase?", COMPARE),
    ("Compare the first growth forecast with the latest", COMPARE),
    ("How does the policy rate in February 2025 compare with the latest?", COMPARE),
    ("Why did the central bank cut the rate?", WHY),
    ("What led to the delay?", WHY),
    ("De ce a demisionat ministrul?", WHY),
    ("What's new today?", DIGEST),
    ("the main news this week", DIGEST),
    ("Summarise this article", SUMMARY),
    # the kinds that were there before keep their reading
    ("What is the policy rate now?", "latest"),
    ("What happened in March 2025?", "period"),
    ("How has the A16 motorway developed?", "timeline"),
    ("What's new in the A16 story?", "plain"),
])
def test_question_shapes_are_read_from_the_wording(question, kind):
    assert read_intent(question, JUNE_12).kind == kind


def test_a_list_names_every_article_mentioning_the_name_newest_first(service):
    answer = service.ask("Which articles mention Sibiu?")
    assert answer.found and answer.kind == LIST  # was refused as "not in the archive"
    assert answer.heading == "Articles mentioning Sibiu:"
    assert SIBIU in [c.article_id for c in answer.citations]
    texts = service.store.documents(c.article_id for c in answer.citations)
    assert all("sibiu" in fold(f"{d.title} {d.text}") for d in texts.values())
    assert all("Sibiu" in e.text for e in answer.timeline)  # each line names the subject
    dates = [e.published for e in answer.timeline]
    assert dates == sorted(dates, reverse=True)
    assert answer.answer.startswith("Articles mentioning Sibiu:\n- 2 June 2025: ")


def test_a_list_by_author_and_a_refusal_for_a_name_the_archive_lacks(service):
    by = service.ask("Articles by AGERPRES")
    assert by.found and len(by.citations) >= 5 and by.heading == "Articles by AGERPRES:"
    assert not service.ask("Which articles mention Timbuktu?").found


def test_a_comparison_quotes_both_figures_each_with_its_date_and_source(service):
    answer = service.ask("What is the difference between the minimum wage increase and the pension increase?")
    assert answer.kind == COMPARE and answer.heading == "Compared:"
    assert [c.article_id for c in answer.citations] == [WAGE, PENSION]
    first, second = answer.timeline
    assert "4,325 lei" in first.text and first.published == "2025-05-19"
    assert "2.5%" in second.text and second.published == "2025-06-11"
    assert "- 19 May 2025: " in answer.answer and "- 11 June 2025: " in answer.answer


def test_a_cause_question_quotes_the_reason_from_the_article_reporting_the_event(service):
    answer = service.ask("Why did the central bank cut the rate?")
    assert answer.kind == WHY and [c.article_id for c in answer.citations] == [BNR]
    assert "lowered its monetary policy rate" in answer.answer  # what happened
    assert "helped by cheaper fuel and a good harvest" in answer.answer  # and why


def test_a_digest_groups_the_period_s_articles_newest_first(service):
    week = service.ask("What's new this week?", today=JUNE_12)
    assert week.kind == DIGEST and [c.article_id for c in week.citations] == [PENSION]
    june = service.ask("the main news in June 2025")
    assert june.kind == DIGEST and june.heading.startswith("The main news, from 1 June 2025 to 30 June 2025")
    dates = [c.published for c in june.citations]
    assert len(dates) == 3 and all(d.startswith("2025-06") for d in dates)
    assert [e.published for e in june.timeline] == sorted(dates, reverse=True)
    quiet = service.ask("What's new today?", today=date(2030, 1, 1))
    assert quiet.found and quiet.heading.startswith("Nothing was published on 1 January 2030")
    assert quiet.citations  # the newest articles instead


def test_summarise_this_article_gives_the_opened_article_s_lead_and_key_sentences(service):
    service.open_article("reader", BNR)
    answer = service.ask("Summarise this article", "reader")
    assert answer.kind == SUMMARY and [c.article_id for c in answer.citations] == [BNR]
    assert answer.answer.startswith("Summary of “Central bank cuts key rate to 6.25pct")
    assert "lowered its monetary policy rate by 25 basis points" in answer.answer
    assert len(re.findall(r"\[1\]", answer.answer)) >= 1 and len(answer.answer) > 300
    assert not service.ask("Summarise this article", "stranger").found  # no article open: says so


@pytest.mark.parametrize("question", [
    "Why did the central bank cut the rate?",
    "What is the difference between the minimum wage increase and the pension increase?",
    "How much will the Timisoara tram line cost?",
])
def test_every_suggested_question_is_answered_when_asked_back(service, question):
    answer = service.ask(question, suggest=True)
    assert 1 <= len(answer.suggestions) <= 3
    assert question not in answer.suggestions
    for suggestion in answer.suggestions:
        back = service.ask(suggestion)
        assert back.found and back.citations, suggestion


def test_a_new_chat_s_suggestions_are_answered_too(service):
    suggestions = service.suggestions(today=JUNE_12)
    assert 1 <= len(suggestions) <= 3
    assert suggestions == service.suggestions(today=JUNE_12)  # cached per index version and day
    for suggestion in suggestions:
        back = service.ask(suggestion, today=JUNE_12)
        assert back.found and back.citations, suggestion
