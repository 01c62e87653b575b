"""The pure pieces of news answers: folding, question dates, question kinds, deep links, quotes."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote

import pytest

from qabot.answers.intent import read_intent
from qabot.ingest.clean import parse_date
from qabot.text.dates import long_date, month_number
from qabot.text.fold import fold, folded_terms
from qabot.text.fragments import text_fragment
from qabot.text.quotes import balance
from qabot.text.when import parse_dates

TODAY = date(2026, 12, 1)


def test_case_diacritics_and_cedilla_or_comma_forms_fold_alike():
    assert fold("Vlădescu") == fold("VLADESCU") == "vladescu"
    assert fold("Radiș") == fold("Radiş") == "radis"  # comma below and cedilla
    assert fold("Țară") == fold("Ţară") == "tara"
    assert folded_terms("Who is Isărescu?") == ("isarescu",)


def test_one_month_table_reads_english_and_romanian():
    assert month_number("martie") == month_number("March") == month_number("MAR.") == 3
    assert parse_date("Publicat pe 4 noiembrie 2026") == "2026-11-04"
    assert long_date("2026-11-04") == "4 November 2026"


def test_question_dates_in_english_and_romanian():
    assert parse_dates("What happened in March 2025?", TODAY)[0].since == "2025-03-01"
    rng, rest = parse_dates("Ce s-a întâmplat în martie 2025?", TODAY)
    assert (rng.since, rng.until) == ("2025-03-01", "2025-03-31") and "martie" not in rest
    assert parse_dates("rates before May 2025", TODAY)[0].until == "2025-04-30"
    bare = parse_dates("How fast were prices rising in April?", TODAY)[0]
    assert not bare and bare.period is not None and bare.period.since == "2026-04-01"  # no filter
    assert not parse_dates("It may rain", TODAY)[0]  # "may" alone is a verb


@pytest.mark.parametrize(("question", "since", "until"), [
    ("What was the minimum wage in the second half of 2024?", "2024-07-01", "2024-12-31"),
    ("inflation in early 2025", "2025-01-01", "2025-04-30"),
    ("GDP in Q3 2025", "2025-07-01", "2025-09-30"),
    ("the deficit in the last quarter of 2025", "2025-10-01", "2025-12-31"),
    ("prices in summer 2026", "2026-06-01", "2026-08-31"),
    ("What happened in the last quarter?", "2026-07-01", "2026-09-30"),  # the last full one before today
])
def test_parts_of_a_year_in_questions(question, since, until):
    dates, _rest = parse_dates(question, TODAY)
    assert (dates.period.since, dates.period.until) == (since, until)


@pytest.mark.parametrize("question", ["How many goals in the first half?", "What did AOL lose in the fourth quarter?"])
def test_a_half_or_quarter_without_its_year_is_not_a_date(question):
    assert not parse_dates(question, TODAY)[0]


def test_question_kinds():
    kinds = {
        "What is the policy rate now?": "latest",
        "Who is the finance minister?": "latest",
        "What was the rate in June 2026?": "asof",
        "What was the first growth forecast?": "asof",
        "How has the metro line developed?": "timeline",
        "Timeline of the A16 motorway": "timeline",
        "What happened in March 2025?": "period",
        "Who is Radu Ifrim?": "entity",
        "What did Vlădescu say about inflation?": "entity",
        "Metrorex": "entity",
        "ilie bolojan": "entity",
        "How many beds does the hospital have?": "plain",
    }
    assert {q: read_intent(q, TODAY).kind for q in kinds} == kinds
    said = read_intent("What did Vlădescu say about inflation?", TODAY)
    assert said.name == "Vlădescu" and said.topic == "inflation"
    # an event times the question ("of 2025" does not: the revision does)
    event = read_intent("What was the deficit target after the first budget revision of 2025?", TODAY)
    assert (event.kind, event.event, event.side) == ("asof", "first budget revision", "after")
    assert read_intent("Who was finance minister before the resignation?", TODAY).side == "before"
    assert not read_intent("Will it open before the end of 2025?", TODAY).event  # a date, not an event
    first = read_intent("What was the first deficit target for 2025?", TODAY)
    assert first.earliest and first.subject == "deficit target"


def test_text_fragments_encode_their_syntax_and_shorten_long_sentences():
    url = "https://exemplunews.ro/a?x=1"
    short = text_fragment(url, "Cluj-Napoca, 3 & 4 May")
    assert short == url + "#:~:text=Cluj%2DNapoca%2C%203%20%26%204%20May"
    sentence = ("The first tunnel boring machine started digging the M6 metro line to Otopeni airport "
                "on Tuesday, Metrorex said.")
    start, end = text_fragment(url + "#top", sentence).split("#:~:text=")[1].split(",")
    assert unquote(start) == "The first tunnel boring machine" and unquote(end) == "airport on Tuesday, Metrorex said."
    assert text_fragment("pages/local.txt", sentence) == "pages/local.txt"  # no web address, no fragment


def test_quote_balance():
    assert balance("„We are cautious.") == 1
    assert balance("This is a first step,” Oprișan said.") == -1
    assert balance("„Balanced,” he said.") == 0
    assert balance('"Open quote goes on.') == 1


def test_the_sentence_that_answers_best_is_read_early_not_after_a_long_quotation():
    from qabot.answers.extract import Extractor, Source
    from qabot.models import Hit

    opening = ("The red carpet was crowded on Sunday night, and the actor Paul Avram stopped for a long time to "
               "sign autographs for the fans who had waited in the cold since the afternoon.")
    quote = ("„It is the loudest welcome I have ever had, louder than anything at home, and I will remember this "
             "red carpet for the rest of my life,” Avram said.")
    answer = "Actress Ana Ilie wore a green dress by the designer Mara Voicu, she told reporters."
    hit = Hit("gala", "Stars at the gala", "", "", "", "", 1.0)
    # the opening passage is as close to the question as the one with the answer
    source = Source(hit, [(f"{opening} {quote}", 0.5), (answer, 0.5)])
    extractor = Extractor()
    scored = extractor.score_sentences("Which designer made the dress Ana Ilie wore on the red carpet?", [source])
    text, _citations = extractor.compose(scored, [source])
    assert text.index(answer) <= extractor.max_chars // 2, text
    assert text.count("„") == text.count("”")


def test_an_introduction_outranks_a_title_before_the_name():
    from qabot.answers.entities import Name, mentions

    resigned = "Finance Minister Radu Ifrim resigned on Tuesday, a week after the coalition rejected his plan."
    sworn_in = "Radu Ifrim was sworn in as Romania's finance minister on Friday."
    apposition = "Ifrim, 47, a former deputy governor, is not a member of any party."
    found = {m.text: m.intro for m in mentions(Name.of("radu ifrim"), [resigned, sworn_in, apposition])}
    assert found[sworn_in] > found[resigned]
    assert apposition in found  # named by surname: a mention, not a full introduction
