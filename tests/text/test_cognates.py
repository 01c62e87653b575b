"""Cognates: the words a Romanian question shares with an English article by their root."""

from __future__ import annotations

import pytest

from qabot.text.cognates import cognate, shared_roots, spelling


@pytest.mark.parametrize(("romanian", "english"), [
    ("inflația", "inflation"), ("populația", "population"), ("comisia", "commission"),
    ("teatrul", "theatre"), ("ministrul", "minister"), ("transporturilor", "transport"),
    ("economia", "economy"), ("Pâslaru", "Pâslaru"),
])
def test_words_of_one_root_are_cognates(romanian, english):
    assert cognate(romanian, english)


@pytest.mark.parametrize(("romanian", "english"), [
    ("varsoviei", "warsaw"), ("rata", "rate"), ("fierbe", "boiling"), ("urși", "bears"), ("comandant", "community"),
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
