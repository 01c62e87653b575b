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
