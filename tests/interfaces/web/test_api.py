"""The HTTP API over a real server on loopback: what a newsroom's page and a reader's browser
get back, including every kind of bad input, as one JSON error naming the field."""

from __future__ import annotations

import json

import httpx
import pytest

from qabot.state.feedback import FeedbackStore
from qabot.state.questions import NS as QUESTIONS
from tests.interfaces.web.newsroom import article_id

BRIDGE = "What did the Port Aurel council decide about the harbour bridge?"
ASK_KEYS = {"question", "answer", "found", "kind", "citations", "timeline", "passages", "closest", "latency_ms"}


def ask(url: str, **body) -> httpx.Response:
    return httpx.post(f"{url}/api/ask", json=body, timeout=60)


def test_an_answer_is_the_cli_json_plus_a_conversation_and_follow_ups_keep_its_context(site):
    first = ask(site.url, question=BRIDGE)
    assert first.status_code == 200
    data = first.json()
    assert ASK_KEYS <= set(data) and data["conversation"] and data["feedback_id"]
    assert data["found"] and data["citations"][0]["article_id"] == article_id("harbour-bridge")
    cited = data["citations"][0]
    assert cited["published"] == "2025-06-10" and "#:~:text=" in cited["link"]
    follow = ask(site.url, question="And who will build it?", conversation=data["conversation"]).json()
    assert follow["conversation"] == data["conversation"]
    assert follow["found"] and article_id("bridge-contractor") in [c["article_id"] for c in follow["citations"]]
    assert "Constructora Delta" in follow["answer"]


def test_forged_or_altered_conversation_ids_are_refused(site):
    real = ask(site.url, question=BRIDGE).json()["conversation"]
    token, mac = real.split(".")
    for forged in ("tg:12345", "web:abc", f"{token}.{mac[:-2]}AA", f"{token[:-1]}x.{mac}", "x" * 300):
        response = ask(site.url, question="And who will build it?", conversation=forged)
        assert response.status_code == 400, forged
        assert response.json()["field"] == "conversation"


def test_article_pins_the_question_to_that_article(site):
    data = ask(site.url, question="When must they finish it?", article=article_id("bridge-contractor")).json()
    assert data["citations"][0]["article_id"] == article_id("bridge-contractor")
    missing = ask(site.url, question="What was decided?", article="newsroom/no-such-article")
    assert missing.status_code == 404 and missing.json()["field"] == "article"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b'{"question": "bridge', 400, "body"),
        (b"[1, 2]", 422, "body"),
        (b"{}", 422, "question"),
        (b'{"question": "   "}', 422, "question"),
        (json.dumps({"question": "a" * 1001}).encode(), 422, "question"),
        (json.dumps({"question": "bridge", "since": "2025-13-40"}).encode(), 400, "since"),
        (json.dumps({"question": "b" * 20000}).encode(), 413, "body"),
    ],
)
def test_bad_input_is_one_json_error_naming_the_field(site, body, status, field):
    response = httpx.post(f"{site.url}/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    error = response.json()
    assert error["field"] == field and error["error"] and "Traceback" not in response.text


def test_cors_answers_only_the_newsrooms_origins(site, newsroom, other_site):
    ours = ask(site.url, question=BRIDGE, conversation=None)
    assert "access-control-allow-origin" not in ours.headers  # no Origin: not a browser on another site
    allowed = httpx.post(f"{site.url}/api/ask", json={"question": BRIDGE}, headers={"Origin": newsroom.url}, timeout=60)
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == newsroom.url
    foreign = httpx.post(f"{site.url}/api/ask", json={"question": BRIDGE}, headers={"Origin": other_site.url})
    assert foreign.status_code == 403 and foreign.json()["field"] == "Origin"
    assert "access-control-allow-origin" not in foreign.headers
    preflight = httpx.options(f"{site.url}/api/ask", headers={
        "Origin": other_site.url, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in preflight.headers


def test_a_reader_over_the_rate_limit_gets_429_with_retry_after(start_server):
    running = start_server(rate_limit_count=2, rate_limit_window=60)
    assert [ask(running.url, question=BRIDGE).status_code for _ in range(2)] == [200, 200]
    refused = ask(running.url, question=BRIDGE)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    # X-Forwarded-For from a peer that is no trusted proxy changes nothing
    spoofed = httpx.post(f"{running.url}/api/ask", json={"question": BRIDGE}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_reader_has_a_budget(start_server):
    running = start_server(rate_limit_count=1, trusted_proxies=["127.0.0.1"])

    def from_reader(ip: str) -> int:
        return httpx.post(f"{running.url}/api/ask", json={"question": BRIDGE},
                          headers={"X-Forwarded-For": f"198.51.100.1, {ip}"}, timeout=60).status_code

    assert from_reader("203.0.113.1") == 200
    assert from_reader("203.0.113.2") == 200  # another reader behind the same proxy
    assert from_reader("203.0.113.1") == 429


def test_the_daily_cap_stops_questions_for_the_day(start_server):
    running = start_server(web_daily_cap=1)
    assert ask(running.url, question=BRIDGE).status_code == 200
    capped = ask(running.url, question=BRIDGE)
    assert capped.status_code == 503 and capped.json()["field"] == "question"


def test_search_article_status_and_probes(site):
    hits = httpx.get(f"{site.url}/api/search", params={"q": "harbour bridge contract"}, timeout=60).json()["hits"]
    assert hits[0]["article_id"] in {article_id("bridge-contractor"), article_id("harbour-bridge")}
    assert httpx.get(f"{site.url}/api/search", params={"q": " "}).json()["field"] == "q"
    assert httpx.get(f"{site.url}/api/search").json() == {"error": "q is required", "field": "q"}
    assert httpx.get(f"{site.url}/api/nothing-here").json()["field"] == "path"
    article = httpx.get(f"{site.url}/api/articles/{article_id('harbour-bridge')}").json()
    assert article["title"].startswith("Port Aurel council") and article["published"] == "2025-06-10"
    missing = httpx.get(f"{site.url}/api/articles/newsroom/nothing")
    assert missing.status_code == 404 and missing.json()["field"] == "article_id"
    status = httpx.get(f"{site.url}/api/status").json()
    assert status["articles"] == 21 and status["newest"] == "2025-11-05"
    assert httpx.get(f"{site.url}/healthz").json() == {"ok": True}
    assert httpx.get(f"{site.url}/readyz").json() == {"ready": True, "articles": 21}
    spec = httpx.get(f"{site.url}/openapi.json").json()
    assert {"/api/ask", "/api/search", "/api/feedback", "/api/status", "/api/insights"} <= set(spec["paths"])
    assert httpx.get(f"{site.url}/docs").status_code == 200


def test_votes_and_problem_reports_reach_the_shared_feedback_store(site):
    data = ask(site.url, question=BRIDGE).json()
    post = lambda body: httpx.post(f"{site.url}/api/feedback", json=body)  # noqa: E731
    assert post({"answer": data["feedback_id"], "vote": -1}).json() == {"ok": True}
    assert post({"answer": data["feedback_id"], "problem": "The date is wrong"}).status_code == 200
    assert post({"answer": 12345, "vote": 1}).json()["field"] == "answer"
    assert post({"answer": data["feedback_id"]}).json()["field"] == "vote"
    assert post({"answer": data["feedback_id"], "vote": 5}).json()["field"] == "vote"
    store = FeedbackStore(site.service.state)
    assert [r["vote"] for r in store.rows()] == [-1]
    assert store.reports()[0]["reason"] == "The date is wrong"


def test_the_question_log_keeps_no_address_and_no_reader_id(start_server):
    running = start_server(trusted_proxies=["127.0.0.1"])
    data = httpx.post(f"{running.url}/api/ask", json={"question": BRIDGE},
                      headers={"X-Forwarded-For": "203.0.113.77"}, timeout=60).json()
    rows = running.service.state.scan(QUESTIONS)
    assert len(rows) == 1
    stored = json.dumps(rows)
    assert BRIDGE in stored
    assert set(rows[0][1]) == {"at", "question", "found", "kind", "channel", "sources"}
    assert rows[0][1]["channel"] == "web"
    for trace in ("203.0.113.77", data["conversation"].split(".")[0], "web:"):
        assert trace not in stored


def test_question_logging_can_be_switched_off(start_server):
    running = start_server(question_log=False)
    assert ask(running.url, question=BRIDGE).status_code == 200
    assert running.service.state.scan(QUESTIONS) == []


def test_a_new_chat_is_offered_questions_the_archive_answers(site):
    offered = httpx.get(f"{site.url}/api/suggestions", timeout=60).json()["suggestions"]
    assert 1 <= len(offered) <= 3
    for question in offered:
        answer = ask(site.url, question=question).json()
        assert answer["found"] and answer["citations"], question


def test_a_romanian_page_is_offered_romanian_questions_the_archive_answers(site):
    offered = httpx.get(f"{site.url}/api/suggestions", params={"lang": "ro"}, timeout=60).json()["suggestions"]
    assert 1 <= len(offered) <= 3
    assert all(q.startswith(("Cine este ", "Care sunt ultimele știri despre ", "Ce s-a întâmplat cu ",
                             "Ce e nou săptămâna aceasta?")) for q in offered), offered
    for question in offered:
        answer = ask(site.url, question=question, language="ro").json()
        assert answer["found"] and answer["citations"] and answer["language"] == "ro", question
