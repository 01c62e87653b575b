"""Topic alerts: readers follow topics; new articles that match are queued for them, once.

Everything lives in the shared state (``qabot.state``), so whichever process ran the
refresh (the bot's schedule, ``qabot watch``, another replica) queues the alerts and any bot
replica delivers them:

- ``subscriptions``: ``<chat>:<topic key>`` -> the topic as typed, and when;
- ``alerted``: ``<chat>:<article id>`` -> insert-once record that the article went (or is on
  its way) to that chat: each article reaches each subscriber at most once;
- ``outbox``: ``<chat>:<article id>`` -> what the message needs (headline, date, lead
  sentence, link, the topic it matched), until a bot delivers it.

A match is the search ranking's own hybrid score (dense + lead + keyword) of the topic against
the new article, at or above ``settings.alert_min_score`` (measured: docs/telegram.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from qabot.state import StateStore
from qabot.text.sentences import split_sentences

if TYPE_CHECKING:
    from qabot.service.qa import QAService

log = logging.getLogger(__name__)

SUBSCRIPTIONS, ALERTED, OUTBOX = "subscriptions", "alerted", "outbox"
MAX_TOPICS = 20  # per chat: each topic costs an embedding and a keyword search per round
MAX_TOPIC_CHARS = 100
LEAD_CHARS = 300
BACKFILL = 200  # more new articles than this in one round is a first import or a rebuild, not news


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    topic: str
    created: float = 0.0


@dataclass(frozen=True)
class Alert:
    """One article waiting to be sent to one chat."""

    chat_id: int
    article_id: str
    title: str
    url: str
    published: str
    lead: str
    topic: str
    score: float
    queued: float = 0.0


def topic_key(topic: str) -> str:
    """Case and spacing don't make a new topic."""
    return " ".join(topic.lower().split())


def following(state: StateStore, chat_id: int) -> list[Subscription]:
    """The chat's topics, oldest first (the numbers /unfollow takes)."""
    subs = [Subscription(chat_id, v["topic"], v.get("created", 0.0)) for _k, v in state.scan(SUBSCRIPTIONS, f"{chat_id}:")]
    return sorted(subs, key=lambda s: (s.created, s.topic))


def follow(state: StateStore, chat_id: int, topic: str) -> bool:
    """Adds a topic; ``False`` when the chat already follows it. Raises ValueError when the
    topic is empty, too long, or the chat follows too many already."""
    topic = " ".join(topic.split())
    if not topic:
        raise ValueError("empty topic")
    if len(topic) > MAX_TOPIC_CHARS:
        raise ValueError(f"a topic is at most {MAX_TOPIC_CHARS} characters")
    if len(following(state, chat_id)) >= MAX_TOPICS:
        raise ValueError(f"you can follow at most {MAX_TOPICS} topics")
    return state.add(SUBSCRIPTIONS, f"{chat_id}:{topic_key(topic)}", {"topic": topic, "created": time.time()})


def unfollow(state: StateStore, chat_id: int, subscription: Subscription) -> bool:
    return state.delete(SUBSCRIPTIONS, f"{chat_id}:{topic_key(subscription.topic)}")


def forget_chat(state: StateStore, chat_id: int) -> int:
    """Drops a chat's subscriptions and queued alerts (it blocked the bot) and returns how many
    topics it followed; the record of what was sent stays, so nothing goes twice."""
    for key, _v in state.scan(OUTBOX, f"{chat_id}:"):
        state.delete(OUTBOX, key)
    return sum(state.delete(SUBSCRIPTIONS, key) for key, _v in state.scan(SUBSCRIPTIONS, f"{chat_id}:"))


def all_subscriptions(state: StateStore) -> list[Subscription]:
    out = []
    for key, value in state.scan(SUBSCRIPTIONS):
        chat, _, _topic = key.partition(":")
        out.append(Subscription(int(chat), value["topic"], value.get("created", 0.0)))
    return out


def lead_sentence(text: str) -> str:
    sentences = split_sentences(text)
    lead = sentences[0] if sentences else text.strip()
    return lead if len(lead) <= LEAD_CHARS else lead[: LEAD_CHARS - 1].rsplit(" ", 1)[0] + "…"


def matches(service: QAService, topics: list[str], article_ids: list[str]) -> dict[str, dict[str, float]]:
    """``{topic: {article id: score}}`` for the pairs at or above the alert threshold."""
    if not topics or not article_ids:
        return {}
    threshold = service.settings.alert_min_score
    retriever = service.retriever
    vectors = service.encoder.embed(topics, kind="query")
    found: dict[str, dict[str, float]] = {}
    for topic, vector in zip(topics, vectors, strict=True):
        scored = retriever.score_articles(topic, article_ids, query_vector=vector)
        hits = {c.doc_id: round(c.score, 4) for c in scored if c.score >= threshold}
        if hits:
            found[topic] = hits
    return found


def queue_for_new_articles(service: QAService, state: StateStore, article_ids: list[str]) -> int:
    """Queues, in the outbox, each new article for each chat with a matching topic; returns
    how many alerts were queued. Usable as a refresh round's ``on_new_articles`` hook."""
    ids = list(dict.fromkeys(article_ids))
    if len(ids) > BACKFILL:
        log.info("%d new articles in one round: an import, not news; no topic alerts for them", len(ids))
        return 0
    subs = all_subscriptions(state)
    if not ids or not subs:
        return 0
    by_topic: dict[str, list[Subscription]] = {}
    for sub in subs:
        by_topic.setdefault(topic_key(sub.topic), []).append(sub)
    scores = matches(service, list(by_topic), ids)
    docs = service.store.documents(a for hits in scores.values() for a in hits)
    queued = 0
    for topic, hits in scores.items():
        for sub in by_topic[topic]:
            for article_id, score in sorted(hits.items(), key=lambda kv: -kv[1]):
                doc = docs.get(article_id)
                key = f"{sub.chat_id}:{article_id}"
                if doc is None or not state.add(ALERTED, key, {"topic": sub.topic, "at": time.time()}):
                    continue  # gone meanwhile, or already sent for another topic or round
                alert = Alert(
                    sub.chat_id, article_id, doc.title, doc.meta.get("url", ""), doc.published,
                    lead_sentence(doc.text), sub.topic, score, time.time(),
                )
                state.put(OUTBOX, key, asdict(alert))
                queued += 1
    if queued:
        log.info("Queued %d topic alerts for %d new articles", queued, len(ids))
    return queued


def pending(state: StateStore) -> dict[int, list[Alert]]:
    """Queued alerts per chat, oldest article first."""
    out: dict[int, list[Alert]] = {}
    for _key, value in state.scan(OUTBOX):
        alert = Alert(**value)
        out.setdefault(alert.chat_id, []).append(alert)
    for alerts in out.values():
        alerts.sort(key=lambda a: (a.published, a.title))
    return out


def claim(state: StateStore, alerts: list[Alert]) -> list[Alert]:
    """Takes alerts out of the outbox; only the ones this caller removed are returned, so two
    replicas delivering at once never send the same alert."""
    return [a for a in alerts if state.delete(OUTBOX, f"{a.chat_id}:{a.article_id}")]


def requeue(state: StateStore, alerts: list[Alert]) -> None:
    """Puts claimed alerts back after a delivery that failed for a passing reason."""
    for a in alerts:
        state.put(OUTBOX, f"{a.chat_id}:{a.article_id}", asdict(a))
