"""Cognates: the words a Romanian question shares with an English article by their root."""

from __future__ import annotations

import pytest

from qabot.text.cognates import Roots, cognate, exonym, shared_roots, spelling


@pytest.mark.parametrize(("romanian", "english"), [
    ("inflația", "inflation"), ("populația", "population"), ("comisia", "commission"),
    ("teatrul", "theatre"), ("ministrul", "minister"), ("transporturilor", "transport"),
    ("economia", "economy"), ("Pâslaru", "Pâslaru"),
])
def test_words_of_one_root_are_cognates(romanian, english):
    assert cognate(romanian, english)


@pytest.mark.parametrize(("romanian", "english"), [
    ("lemn", "wooden"), ("rata", "rate"), ("fierbe", "boiling"), ("urși", "bears"), ("comandant", "community"),
])
def test_other_words_are_not(romanian, english):
    assert not cognate(romanian, english)


def test_spelling_writes_both_languages_alike():
    assert spelling("Commission") == "comision"
    assert spelling("philosophy") == "filosofi"
    assert spelling("Ţară") == "tara"


def test_the_article_with_the_questions_roots_scores_highest_and_a_shared_word_counts_less():
    question = "Care a fost populația Varșoviei în 1901 și câți erau protestanți?"
    texts = [
        "In 1901 the city had 711,988 inhabitants, of whom 56% were Catholics and 2.8% Protestants. Population grew.",
        "The city's population fell sharply during the war.",
        "Bridges over the river were rebuilt after the war.",
    ]
    scores = shared_roots(question, texts)
    assert scores[0] > scores[1] > scores[2] == 0.0
    assert shared_roots("Ce?", texts) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(("romanian", "english"), [
    ("București", "Bucharest"), ("Bucureștiului", "Bucharest"), ("Varșoviei", "Warsaw"), ("Londra", "London"),
    ("Franței", "France"), ("Ungaria", "Hungary"), ("Bruxelles", "Brussels"), ("Japonia", "Japan"),
])
def test_a_place_romanian_names_otherwise_is_found_by_its_english_name(romanian, english):
    assert Roots(f"Teachers marched in {english} on Tuesday.").has(romanian)
    assert Roots(f"Profesorii au mărșăluit la {romanian} marți.").has(english)


def test_other_words_keep_their_own_spelling():
    assert exonym("inflatia") == "inflatia" and exonym("romania") == "romania"
    assert not Roots("Teachers marched in Bucharest on Tuesday.").has("Londra")
