"""The figures behind the editors' insights: questions per day, the share answered, topics
(asked and refused), answers voted down, problems reported, and each source's freshness.

Topics are found with the embedding model the archive already uses: each distinct question
is embedded, and a question joins the first topic whose centroid (the normalised mean of its
questions' vectors) it resembles by cosine ``TOPIC_COSINE`` or more, else opens a new topic
(one pass, in the order asked). A topic is named after its question nearest the centroid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from qabot.state.questions import LoggedQuestion

if TYPE_CHECKING:
    from qabot.interfaces.web.context import Web

TOPIC_COSINE = 0.6  # paraphrases of one question score 0.7-0.9 with MiniLM; unrelated ones under 0.3
MAX_CLUSTERED = 3000  # distinct questions embedded per request, the most recent
EXAMPLES = 3


@dataclass(frozen=True)
class Topic:
    label: str
    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Day:
    day: str
    answered: int
    refused: int


def topics(questions: list[str], embed: Callable[[list[str]], np.ndarray], limit: int = 10) -> list[Topic]:
    """Groups questions by meaning, largest group first (ties: the earlier asked)."""
    counts = Counter(" ".join(q.split()) for q in questions)
    distinct = list(counts)[-MAX_CLUSTERED:]
    if not distinct:
        return []
    vectors = np.asarray(embed(distinct), dtype=np.float32)
    sums = np.zeros_like(vectors)  # one row per topic, filled as topics open
    centres = np.zeros_like(vectors)
    members: list[list[int]] = []
    for i, v in enumerate(vectors):
        k = len(members)
        if k:
            scores = centres[:k] @ v
            best = int(np.argmax(scores))
            if scores[best] >= TOPIC_COSINE:
                sums[best] += v
                centres[best] = sums[best] / np.linalg.norm(sums[best])
                members[best].append(i)
                continue
        sums[k] = centres[k] = v
        members.append([i])
    out = []
    for centre, group in zip(centres, members, strict=False):  # centres has a row per question
        ranked = sorted(group, key=lambda i: -float(vectors[i] @ centre))
        by_count = sorted(group, key=lambda i: -counts[distinct[i]])
        out.append(Topic(distinct[ranked[0]], sum(counts[distinct[i]] for i in group),
                         tuple(distinct[i] for i in by_count[:EXAMPLES])))
    out.sort(key=lambda t: -t.count)  # stable: equal groups keep the order they were first asked
    return out[:limit]


def period(days: int, until: date | None = None) -> tuple[str, str]:
    """The last ``days`` days, today (UTC) included, as ISO dates."""
    end = until or datetime.now(timezone.utc).date()
    return (end - timedelta(days=days - 1)).isoformat(), end.isoformat()


def per_day(logged: list[LoggedQuestion], since: str, until: str) -> list[Day]:
    answered = Counter(q.day for q in logged if q.found)
    refused = Counter(q.day for q in logged if not q.found)
    first, last = date.fromisoformat(since), date.fromisoformat(until)
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return [Day(d, answered[d], refused[d]) for d in days]


def _in_period(at: float, since: str, until: str) -> bool:
    day = datetime.fromtimestamp(at, timezone.utc).date().isoformat()
    return since <= day <= until


def _answer_record(web: Web, answer_id: int) -> dict:
    """Question, answer and sources of a recorded answer; the bot's sources come from the
    answers it keeps for its "Sources" button."""
    record = web.feedback.answer(answer_id) or {}
    sources = record.get("sources") or []
    if not sources:
        kept = web.service.state.get("answers", str(answer_id)) or {}
        sources = [{"title": c.get("title", ""), "url": c.get("link") or c.get("url", ""),
                    "published": c.get("published", "")} for c in kept.get("citations", [])]
    return {"answer_id": answer_id, "question": record.get("question", ""), "answer": record.get("answer", ""),
            "sources": sources}


def complaints(web: Web, since: str, until: str) -> tuple[list[dict], list[dict]]:
    """(answers voted down, problems reported) in the period, newest first."""
    down = [{**_answer_record(web, r["answer_id"]), "time": r["time"]}
            for r in web.feedback.rows() if r["vote"] == -1 and _in_period(r["time"], since, until)]
    reports = [{**_answer_record(web, r["answer_id"]), "reason": r["reason"], "time": r["reported_at"]}
               for r in web.feedback.reports() if _in_period(r["reported_at"], since, until)]
    return down[::-1], reports[::-1]


def sources(web: Web) -> dict:
    """The archive's freshness (as /status) and each source's last sync."""
    from qabot.interfaces.freshness import freshness
    from qabot.state.sync import all_statuses

    return {"archive": asdict(freshness(web.service)),
            "sources": [asdict(s) for s in all_statuses(web.service.state)]}


def insights(web: Web, since: str, until: str) -> dict:
    """Every figure of the insights page for the days ``since``..``until``. Blocking."""
    logged = web.service.questions.between(since, until)
    embed = partial(web.service.encoder.embed, kind="query")  # questions, as e5 wants them read
    down, reports = complaints(web, since, until)
    answered = sum(1 for q in logged if q.found)
    return {
        "since": since, "until": until, "logging": web.settings.question_log,
        "retention_days": web.settings.question_log_days,
        "questions": len(logged), "answered": answered, "refused": len(logged) - answered,
        "channels": dict(Counter(q.channel for q in logged)),
        "per_day": [asdict(d) for d in per_day(logged, since, until)],
        "refused_topics": [asdict(t) for t in topics([q.question for q in logged if not q.found], embed)],
        "top_topics": [asdict(t) for t in topics([q.question for q in logged], embed)],
        "voted_down": down, "reports": reports, "freshness": sources(web),
    }
