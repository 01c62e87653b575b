"""The in-memory date and section filter of the local backend gives the passages SQLite's
``filter_clause`` gives (ISO prefixes, inclusive; undated articles pass no date filter)."""

from __future__ import annotations

import numpy as np

from embeddings.local.filters import RowFilter, _day

PUBLISHED = ["2024-03-04", "2024-03-20T18:30:00", "2024-12-18", "", "2025", "2025-01", "not a date"]
SECTIONS = ["Business", "Sport", "Politics", "", "sport", "Ştiri", "Sport"]


def sql_rule(since: str | None, until: str | None, section: str | None) -> list[int]:
    """``DocStore.filter_clause`` in Python: the reference the arrays must agree with."""
    return [i for i, (p, s) in enumerate(zip(PUBLISHED, SECTIONS, strict=True))
            if (not since or p >= since) and (not until or (p != "" and p[:len(until)] <= until))
            and (not section or s.lower() == section.lower()) and (p != "not a date" or not (since or until))]


def test_the_arrays_filter_as_the_sql_does() -> None:
    names = sorted({s.lower() for s in SECTIONS})
    found = RowFilter(np.arange(len(PUBLISHED)), np.array([_day(p) for p in PUBLISHED]),
                          np.array([names.index(s.lower()) for s in SECTIONS], dtype=np.int32), names)
    for since, until, section in [("2024-03-10", None, None), (None, "2024-03", None), (None, "2024", None),
                                  ("2024-03-20", "2024-12-18", None), ("2025", None, None),
                                  (None, "2024-03-20", None), (None, None, "SPORT"), (None, None, "știri"),
                                  ("2024-03-05", None, "sport"), (None, None, "weather")]:
        assert found.ids(since, until, section).tolist() == sql_rule(since, until, section), (since, until, section)


def test_a_version_reads_its_filters_before_the_first_filtered_question(tmp_path) -> None:
    """At 1M passages the dates and sections take seconds to read; the first question naming a
    date after a refresh must not wait for them, so opening a version starts reading them."""
    from embeddings.local import LocalStore
    from embeddings.records import Filters
    from tests.contract.test_store_contract import MODEL, embed, publish

    publish(tmp_path / "index")
    reading = LocalStore.open(tmp_path / "index", model_id=MODEL)  # an ingest's look at the live version
    assert reading._filters == {}  # reads nothing it will not use
    reading.close()
    store = LocalStore.open(tmp_path / "index", model_id=MODEL, serving=True)
    try:
        # no question asked yet: both are read on their own
        articles, passages = store._row_filter("articles"), store._row_filter("passages")
        assert articles.result(timeout=30).ids("2024-03-05", None, None).size == 2
        assert passages.result(timeout=30).ids(None, None, "sport").size == 2
        query = embed(["The mayor greeted the team at the harbour."])[0]
        found = store.dense_search(query, 10, Filters(section="Sport"))
        assert {store.passages([i])[i].doc_id for i, _ in found} == {"brăila"}
        assert [d for d, _ in store.keyword_search("harbour", 10, Filters(since="2024-03-10"))] == ["brăila"]
    finally:
        store.close()
