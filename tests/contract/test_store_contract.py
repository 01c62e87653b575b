"""The storage contract: every backend of ``embeddings.base.Store``/``StoreWriter`` passes these.

Storage mechanics use a small deterministic encoder (words hashed into a few dimensions); the
test where meaning matters uses the real packaged model.
"""

from __future__ import annotations

import hashlib
import re
import threading

import numpy as np
import pytest

from embeddings.errors import ModelMismatch, NoIndex, StoreError, StoreLocked
from embeddings.factory import open_store, open_writer
from embeddings.records import Document, Filters

MODEL = "test/hashed-words"
DIM = 32

ARCHIVE = [
    Document("port", "Constanța port opens a grain terminal",
             "The port of Constanța opened a grain terminal on Monday. Ships load wheat for Egypt.",
             "2024-03-04", "Business", {"url": "https://example.ro/port"}, "h-port", "b-port", "wire"),
    Document("brăila", "Brăila wins the river cup",
             "Dunărea Brăila won the river cup final. The mayor greeted the team at the harbour.",
             "2024-03-20T18:30:00", "Sport", {"url": "https://example.ro/cup"}, "h-cup", "b-cup", "wire"),
    Document("budget", "Senate passes the 2025 budget",
             "The Senate passed the budget for 2025 after a long debate. Pensions rise by ten per cent.",
             "2024-12-18", "Politics", {}, "h-budget", "b-budget", "pages/budget.txt"),
    Document("undated", "Notes from the harbour",
             "A quiet harbour morning with grain barges and gulls.", "", "", {}, "h-notes", "b-notes", ""),
]


def passages(doc: Document) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", doc.text) if s]


def embed(texts: list[str]) -> np.ndarray:
    """Bag of hashed words, L2-normalised: texts sharing words are close."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out


def publish(location, docs=ARCHIVE, *, rebuild: bool = False) -> str:
    with open_writer(location, model_id=MODEL, rebuild=rebuild) as writer:
        for doc in docs:
            writer.put(doc, passages(doc), embed(passages(doc)))
        return writer.commit()


@pytest.fixture
def location(store_location):
    loc = store_location()
    publish(loc)
    return loc


@pytest.fixture
def store(location):
    opened = open_store(location, model_id=MODEL)
    yield opened
    opened.close()


def test_published_documents_and_passages_read_back(store) -> None:
    docs = store.documents(["port", "brăila", "missing"])
    assert set(docs) == {"port", "brăila"}
    assert docs["port"] == ARCHIVE[0]
    assert docs["brăila"].meta == {"url": "https://example.ro/cup"}
    ids = store.passage_ids(["brăila", "budget"])
    assert [len(ids["brăila"]), len(ids["budget"])] == [2, 2]
    read = store.passages(ids["brăila"])
    assert [read[i].text for i in ids["brăila"]] == passages(ARCHIVE[1])
    assert [read[i].ord for i in ids["brăila"]] == [0, 1]
    assert all(p.doc_id == "brăila" for p in read.values())
    assert store.first_passage_ids(["brăila", "port"]) == {"brăila": ids["brăila"][0],
                                                           "port": store.passage_ids(["port"])["port"][0]}


def test_stats_and_manifest_describe_the_archive(store) -> None:
    stats = store.stats()
    assert (stats.documents, stats.passages) == (4, 7)
    assert stats.model == MODEL and stats.dim == DIM and stats.version == store.version
    assert stats.backend == store.backend
    assert store.manifest["model"] == MODEL
    assert store.live_version() == store.version


def test_vectors_by_id_are_the_stored_ones(store) -> None:
    ids = store.passage_ids(["budget"])["budget"]
    expected = embed(passages(ARCHIVE[2]))
    got = store.passage_vectors(list(reversed(ids)))
    assert np.allclose(got, expected[::-1], atol=1e-6)
    query = embed(["Pensions rise in the budget"])[0]
    sims = store.passage_similarities(list(reversed(ids)), query)
    assert np.allclose(sims, expected[::-1] @ query, atol=1e-5)
    assert store.passage_similarities([], query).shape == (0,)
    # every passage of some articles at once, in reading order; an unknown article is absent
    both = store.article_similarities(["budget", "missing", "port"], query)
    assert set(both) == {"budget", "port"} and list(both["budget"]) == ids
    port = store.passage_ids(["port"])["port"]
    assert list(both["port"]) == port
    assert np.allclose(list(both["budget"].values()), expected @ query, atol=1e-5)
    assert np.allclose(list(both["port"].values()), store.passage_similarities(port, query), atol=1e-5)
    assert store.article_similarities([], query) == {}
    with pytest.raises(StoreError):
        store.passage_similarities([ids[0], 987654], query)


def test_dense_search_finds_the_passage_and_filters(store) -> None:
    query = embed(["Pensions rise by ten per cent."])[0]
    hits = store.dense_search(query, 3)
    best = store.passages([hits[0][0]])[hits[0][0]]
    assert best.doc_id == "budget" and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)

    def docs_of(filters: Filters) -> set[str]:
        found = store.dense_search(query, 10, filters)
        return {p.doc_id for p in store.passages(i for i, _ in found).values()}

    assert docs_of(Filters(since="2024-03-05", until="2024-03")) == {"brăila"}  # until: all of March
    assert docs_of(Filters(until="2024-03-04")) == {"port"}  # inclusive; undated never in a range
    assert docs_of(Filters(section="sport")) == {"brăila"}  # case does not matter
    assert docs_of(Filters(since="2025")) == set()
    assert len(store.dense_search(query, 100)) == 7


def test_keyword_search_ignores_diacritics_and_filters(store) -> None:
    assert [d for d, _ in store.keyword_search("Braila", 10)] == ["brăila"]
    assert [d for d, _ in store.keyword_search("constanta grain", 10)][0] == "port"
    assert {d for d, _ in store.keyword_search("harbour", 10)} == {"brăila", "undated"}
    hits = store.keyword_search("grain terminal barges", 10)
    assert [d for d, _ in hits][0] == "port" and all(s > 0 for _, s in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert {d for d, _ in store.keyword_search("grain harbour", 10, Filters(section="SPORT"))} == {"brăila"}
    assert {d for d, _ in store.keyword_search("grain harbour", 10, Filters(since="2024-03-10"))} == {"brăila"}
    assert store.keyword_search("grain harbour", 10, Filters(until="2023")) == []  # before the archive
    assert store.keyword_search("grain harbour", 10, Filters(since="2025-01-01")) == []  # after it
    assert store.keyword_search("the of and", 10) == []  # only stop words
    assert store.keyword_search("zeppelin", 10) == []


def test_threads_reading_at_once_see_what_one_thread_sees(store) -> None:
    """A bot answers several chats at once, and one question runs its keyword searches, name
    lookups and passage reads side by side: each must get what it would get alone."""
    queries = ["grain harbour", "Braila", "budget pensions", "harbour", "constanta grain", "river cup"]

    def read(query: str) -> tuple:
        found = store.keyword_search(query, 10)
        docs = store.documents(d for d, _ in found)
        ids = store.passage_ids(list(docs))
        texts = store.passages(i for group in ids.values() for i in group)
        return tuple(found), tuple(sorted(docs)), tuple(sorted(p.text for p in texts.values()))

    alone = {q: read(q) for q in queries}
    results: list[tuple[str, tuple]] = []
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for n in range(30):
                q = queries[(offset + n) % len(queries)]
                results.append((q, read(q)))
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 180 and all(got == alone[q] for q, got in results)


def test_headline_words_weigh_more(store) -> None:
    # "harbour" is in the headline of one and the body of the other
    assert [d for d, _ in store.keyword_search("harbour", 10)][0] == "undated"


def test_sections_latest_and_hashes(store) -> None:
    assert sorted(store.sections()) == ["Business", "Politics", "Sport"]
    assert [d.doc_id for d in store.latest(2)] == ["budget", "brăila"]
    assert [d.doc_id for d in store.latest(5, section="business")] == ["port"]
    assert store.content_hashes()["budget"] == ("h-budget", "pages/budget.txt")
    assert store.body_hashes()["b-cup"] == "brăila"


def test_publish_is_atomic_and_readers_keep_their_version(location) -> None:
    reader = open_store(location, model_id=MODEL)
    old = reader.version
    extra = Document("rail", "Rail link to Sibiu", "A new rail link reaches Sibiu.", "2024-05-01",
                     "Business", {}, "h-rail", "b-rail", "wire")
    with open_writer(location, model_id=MODEL) as writer:
        writer.delete("port")
        writer.put(extra, passages(extra), embed(passages(extra)))
        # nothing is visible before the commit
        assert open_store(location, model_id=MODEL).version == old
        assert reader.live_version() == old
    # left without commit: discarded
    assert open_store(location, model_id=MODEL).documents(["rail", "port"]).keys() == {"port"}

    with open_writer(location, model_id=MODEL) as writer:
        writer.delete("port")
        writer.delete("never-stored")
        writer.put(extra, passages(extra), embed(passages(extra)))
        new = writer.commit()
    assert new != old and reader.live_version() == new
    assert set(reader.documents(["rail", "port"])) == {"port"}  # the old reader, unchanged
    fresh = open_store(location, model_id=MODEL)
    assert fresh.version == new
    assert set(fresh.documents(["rail", "port"])) == {"rail"}
    assert fresh.stats().documents == 4
    found = fresh.dense_search(embed(["The port of Constanța opened a grain terminal"])[0], 10)
    assert "port" not in {p.doc_id for p in fresh.passages(i for i, _ in found).values()}
    assert [d for d, _ in fresh.keyword_search("rail Sibiu", 5)] == ["rail"]
    # article counts per word follow the refresh
    assert (fresh.word_documents("grain"), fresh.word_documents("Sibiu")) == (1, 1)
    reader.close()
    fresh.close()


def test_rebuild_starts_from_nothing(location) -> None:
    publish(location, ARCHIVE[:1], rebuild=True)
    store = open_store(location, model_id=MODEL)
    assert store.stats().documents == 1 and store.sections() == ["Business"]


def test_one_writer_at_a_time(location) -> None:
    with open_writer(location, model_id=MODEL):
        errors: list[Exception] = []

        def second() -> None:
            try:
                with open_writer(location, model_id=MODEL):
                    pass
            except StoreLocked as e:
                errors.append(e)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
        assert len(errors) == 1 and "another process is updating" in str(errors[0])
    with open_writer(location, model_id=MODEL):  # released on exit
        pass


def test_nothing_published_and_model_mismatch(store_location, location) -> None:
    with pytest.raises(NoIndex):
        open_store(store_location(), model_id=MODEL)
    with pytest.raises(ModelMismatch, match="hashed-words"):
        open_store(location, model_id="another/model")
    with pytest.raises(ModelMismatch), open_writer(location, model_id="another/model"):
        pass
    open_store(location).close()  # no model given: no check


def test_meaning_with_the_real_model(store_location, encoder) -> None:
    location = store_location()
    with open_writer(location, model_id=encoder.model_id) as writer:
        for doc in ARCHIVE:
            writer.put(doc, passages(doc), encoder.embed(passages(doc)))
        writer.commit()
    store = open_store(location, model_id=encoder.model_id)
    hits = store.dense_search(encoder.embed(["Which football club won the trophy?"])[0], 3)
    assert store.passages([hits[0][0]])[hits[0][0]].doc_id == "brăila"
    hits = store.dense_search(encoder.embed(["state spending plan approved by lawmakers"])[0], 3,
                              Filters(section="Politics"))
    assert store.passages([hits[0][0]])[hits[0][0]].doc_id == "budget"
    store.close()


def test_large_archive_keyword_search_weighs_the_telling_words(store_location) -> None:
    """From ``PRUNE_FROM`` documents on, keyword search chooses its words by document frequency
    (``embeddings.keyword.plan``): a word in most documents no longer decides what is listed,
    the documents with the rare word lead, and a question of common words still answers."""
    from embeddings.keyword import CANDIDATE_POSTINGS, PRUNE_FROM

    location = store_location()
    size = PRUNE_FROM + 2_000
    bridges = {17, 4242, 9001}
    with open_writer(location, model_id=MODEL) as writer:
        vector = np.eye(1, DIM, dtype=np.float32)
        for i in range(size):
            topic = "the new Olt bridge opened to traffic" if i in bridges else f"item {i} on the agenda"
            if i % 2:  # in more documents than a ranked search looks at, yet not in half of them
                topic += ", with the harbour fees"
            year = 2024 if i < 1_000 else 2025  # the oldest articles, added first
            doc = Document(f"d{i}", f"Council minutes {i}", f"The town council met. Discussed {topic}.",
                           f"{year}-{1 + i % 12:02d}-01", "", {}, str(i), str(i), "")
            writer.put(doc, [doc.text], vector)
        writer.commit()
    assert size // 2 > CANDIDATE_POSTINGS
    store = open_store(location, model_id=MODEL)
    try:
        found = store.keyword_search("council bridge", 100)
        assert {d for d, _ in found} == {f"d{i}" for i in bridges}
        assert store.keyword_search("bridge", 100) == found  # "council" is in every document
        assert {d for d, _ in store.keyword_search("bridge harbour fees", 3)} == {f"d{i}" for i in bridges}
        fees = store.keyword_search("harbour fees", 10)
        assert len(fees) == 10 and all(int(d[1:]) % 2 for d, _ in fees)
        assert len(store.keyword_search("town council", 5)) == 5  # only common words: still answers
        # a date filter on a common word reaches past the newest articles to the ones it admits
        old = store.keyword_search("harbour fees", 10, Filters(until="2024"))
        assert len(old) == 10 and all(int(d[1:]) < 1_000 and int(d[1:]) % 2 for d, _ in old)
        assert [d for d, _ in store.keyword_search("bridge harbour", 10, Filters(until="2024-12"))] == ["d17"]
        assert store.keyword_search("harbour fees", 10, Filters(since="2026")) == []
    finally:
        store.close()


def test_word_documents_counts_articles_whatever_the_spelling(store) -> None:
    assert store.word_documents("harbour") == 2  # "Notes from the harbour" and the cup final
    assert store.word_documents("Constanta") == store.word_documents("CONSTANȚA") == 1
    assert store.word_documents("harbours") == 2  # stemmed as keyword search reads it
    assert store.word_documents("zeppelin") == 0
    assert store.word_documents("...") == 0
