"""Pure logic: sentences, passages, dates in questions, follow-up detection, fusion, keyword queries."""

from __future__ import annotations

from datetime import date

from embeddings.fusion import rrf, weighted
from embeddings.keyword import match_expression, terms
from qabot.ingest.chunk import chunk_article
from qabot.models import Article
from qabot.state.followup import is_followup
from qabot.text.sentences import split_sentences
from qabot.text.when import parse_dates


def test_sentences_respect_abbreviations_decimals_and_quotes():
    text = (
        'Mr. Ionescu paid $1.13bn in Jan. 2025 for the U.S. unit. „It is fair,” he said. '
        "J. K. Rowling was not involved!\n\nA new paragraph starts here."
    )
    assert split_sentences(text) == [
        "Mr. Ionescu paid $1.13bn in Jan. 2025 for the U.S. unit.",
        "„It is fair,” he said.",
        "J. K. Rowling was not involved!",
        "A new paragraph starts here.",
    ]


def words(texts):
    return [len(t.split()) for t in texts]


def test_passages_hold_whole_sentences_under_the_budget_with_the_headline():
    body = " ".join(f"Sentence number {i} talks about the harbour works in detail." for i in range(40))
    article = Article("a", "Harbour works", body)
    chunks = chunk_article(article, words, max_tokens=40, overlap=1)
    assert len(chunks) > 3
    for c in chunks:
        assert c.text.startswith("Harbour works\n") and c.text.endswith(c.body)
        assert len(c.text.split()) <= 40
        assert c.body.endswith(".")
    # one sentence of overlap between neighbours
    assert chunks[1].body.split(". ")[0] in chunks[0].body
    assert "Sentence number 39" in chunks[-1].body


def test_auto_overlap_repeats_a_sentence_only_where_the_next_one_leans_on_it():
    # ten words a sentence, a budget of three sentences a passage
    sentences = [f"The port of Constanta handled cargo batch {i} without delay." for i in range(30)]
    sentences[9] = "He said the new cranes would double the pace soon."
    sentences[23] = "But the union warned the night shifts were too long."
    article = Article("a", "Port cargo", " ".join(sentences))

    chunks = chunk_article(article, words, max_tokens=40, overlap="auto")
    stored = [sentence for c in chunks for sentence in split_sentences(c.body)]
    # the two leaning sentences open a passage, so each carries the sentence before it...
    for i in (9, 23):
        assert any(split_sentences(c.body)[:2] == sentences[i - 1 : i + 1] for c in chunks)
    # ...and nothing else is repeated
    assert len(stored) == 32 and set(stored) == set(sentences)
    assert len(chunk_article(article, words, max_tokens=40, overlap=1)) > len(chunks)


def test_a_sentence_longer_than_the_budget_is_cut_at_words():
    article = Article("a", "", " ".join(["word"] * 300) + ".")
    chunks = chunk_article(article, words, max_tokens=50, overlap=0)
    assert len(chunks) >= 6 and all(len(c.text.split()) <= 50 for c in chunks)


def test_dates_said_in_questions():
    today = date(2025, 6, 18)
    assert parse_dates("What did the bank decide in March 2025?", today)[0].since == "2025-03-01"
    assert parse_dates("What did the bank decide in March 2025?", today)[0].until == "2025-03-31"
    assert parse_dates("wine news since 2024", today)[0].since == "2024-01-01"
    assert parse_dates("what happened last week", today)[0].since == "2025-06-11"
    assert parse_dates("rates before May 2025", today)[0].until == "2025-04-30"
    rng, rest = parse_dates("Who won the cup?", today)
    assert not rng and rest == "Who won the cup?"


def test_follow_up_detection():
    assert is_followup("and what did she say about Romania?")
    assert is_followup("What did he say next?")
    assert not is_followup("What did Ioana Preda say about tolls?")
    assert not is_followup("What is the minimum wage in Romania?")


def test_keyword_query_is_safe_for_fts5():
    assert terms("What did the U.S. say about \"AND\" OR NEAR(x)?") == ["u.s", "near"]
    assert match_expression('the "quoted" word') == '"quoted" OR "word"'
    assert match_expression("what is the") == ""


def test_keyword_plan_ranks_on_the_rarer_words_of_a_long_question_in_a_large_archive():
    from embeddings.keyword import CANDIDATE_POSTINGS, RANK_POSTINGS, plan

    documents = 200_000
    share = RANK_POSTINGS // 4  # each common word: a quarter of the rank budget
    counts = {"ifrim": 40, "minister": share, "finance": share, "budget": share, "said": share,
              "year": share + 1, "the": documents}
    chosen = plan(list(counts), counts.__getitem__, documents)
    # the word in every article goes; of the common ones, the most common goes first
    assert chosen.rank == ["ifrim", "minister", "finance", "budget"] and chosen.match == ["ifrim"]
    assert not chosen.capped and chosen.budget == CANDIDATE_POSTINGS
    # a small archive keeps every word
    assert plan(list(counts), lambda w: 1, 5_000).rank == list(counts)


def test_keyword_plan_passes_over_a_split_word_whose_parts_cost_more_than_the_budget():
    """FTS5 matches "three-year" as a phrase over every posting of "three" and of "year": such a
    word is ranked only while that walk fits the budget, and the rarer words after it still are."""
    from embeddings.keyword import RANK_POSTINGS, plan

    documents = 200_000
    counts = {"ifrim": 40, "three-year": 9_000, "budget": 20_000, "deficit": 30_000}
    walks = {**counts, "three-year": RANK_POSTINGS}
    assert plan(list(counts), counts.__getitem__, documents, walks.__getitem__).rank == ["ifrim", "budget", "deficit"]
    assert plan(list(counts), counts.__getitem__, documents, counts.__getitem__).rank == list(counts)


def test_a_split_word_is_counted_exactly_only_while_its_parts_are_cheap_to_walk(tmp_path, monkeypatch):
    from embeddings.local import docstore
    from embeddings.records import Document

    path = tmp_path / "docs.sqlite"
    writer = docstore.DocStore(path)
    with writer.db:
        for i in range(30):
            text = "A three-year plan." if i < 3 else "Three people, one year."
            writer.put(Document(f"d{i}", "", text, content_hash=str(i), body_hash=str(i)), [text])
    writer.count_terms()
    writer.db.commit()
    writer.close()
    # 3 articles have the phrase; matching it walks the 30 postings of each part
    assert docstore.DocStore(path, readonly=True).word_counts(["three-year"]) == {"three-year": (3, 60)}
    monkeypatch.setattr(docstore, "PHRASE_COUNT_POSTINGS", 59)
    bounded = docstore.DocStore(path, readonly=True)
    assert bounded.word_counts(["three-year", "plan"]) == {"three-year": (30, 60), "plan": (3, 3)}
    assert bounded.document_frequency("three-year") == 30  # at most its rarest part, as PostgreSQL counts


def test_fusion():
    assert rrf([[("a", 9.0), ("b", 1.0)], [("b", 5.0), ("c", 1.0)]])[0][0] == "b"
    fused = dict(weighted([("a", 0.8), ("b", 0.5)], [("b", 20.0), ("c", 10.0)], alpha=0.5))
    assert fused["b"] > fused["a"] > fused["c"] > 0
