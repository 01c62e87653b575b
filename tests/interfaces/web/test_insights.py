"""The editors' insights: behind the admin token, Telegram and web questions counted together,
refused questions grouped by meaning, complaints with their sources, CSV, retention."""

from __future__ import annotations

import csv
import io
import logging
import time

import httpx

from qabot.settings import Settings
from qabot.state import open_state
from qabot.state.questions import LoggedQuestion, QuestionLog
from tests.interfaces.web.conftest import ADMIN_TOKEN

EDITOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
MISSING_FOOTBALL = [
    "Who won the football world cup final?",
    "Which country won the FIFA world cup?",
    "Which team won the football world cup?",
]


def test_insights_need_the_admin_token_which_never_shows_up(site, caplog):
    caplog.set_level(logging.DEBUG)
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {ADMIN_TOKEN}"}):
        response = httpx.get(f"{site.url}/api/insights", headers=headers)
        assert response.status_code == 401 and response.json()["field"] == "Authorization"
        assert ADMIN_TOKEN not in response.text
    assert httpx.get(f"{site.url}/insights.csv").status_code == 401
    page = httpx.get(f"{site.url}/insights")
    assert page.status_code == 200 and 'name="token"' in page.text and ADMIN_TOKEN not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    wrong = httpx.post(f"{site.url}/insights/login", data={"token": "guess"})
    assert wrong.status_code == 401 and "guess" not in wrong.text
    with httpx.Client(base_url=site.url) as editor:
        login = editor.post("/insights/login", data={"token": ADMIN_TOKEN})
        assert login.status_code == 303 and ADMIN_TOKEN not in login.headers["set-cookie"]
        assert editor.get("/api/insights").status_code == 200
        assert "<svg" in editor.get("/insights").text
    assert httpx.get(f"{site.url}/api/insights", headers=EDITOR).status_code == 200
    assert ADMIN_TOKEN not in caplog.text


def test_insights_are_off_without_a_token(start_server):
    running = start_server(web_admin_token="")
    assert httpx.get(f"{running.url}/api/insights", headers=EDITOR).status_code == 404
    assert httpx.get(f"{running.url}/insights").status_code == 404


def test_telegram_and_web_questions_are_counted_together_and_refusals_grouped(site):
    for question in [*MISSING_FOOTBALL, "How do I bake sourdough bread?",
                     "What did the Port Aurel council decide about the harbour bridge?"]:
        assert httpx.post(f"{site.url}/api/ask", json={"question": question}, timeout=60).status_code == 200
    # the bot asks through the same service, under its own conversation ids (tg:<chat>)
    site.service.ask("Who will build the Port Aurel harbour bridge?", "tg:4242")
    data = httpx.get(f"{site.url}/api/insights", params={"days": 7}, headers=EDITOR).json()
    assert data["questions"] == 6 and data["channels"] == {"web": 5, "telegram": 1}
    assert data["answered"] == 2 and data["refused"] == 4
    assert data["per_day"][-1]["answered"] == 2 and data["per_day"][-1]["refused"] == 4
    largest = data["refused_topics"][0]
    assert largest["count"] == 3 and set(largest["examples"]) == set(MISSING_FOOTBALL)
    assert data["refused_topics"][1]["examples"] == ["How do I bake sourdough bread?"]
    page = httpx.get(f"{site.url}/insights", headers=EDITOR).text
    assert page.count("<svg") >= 4 and "Who won the football world cup final?" in page
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{site.url}/insights.csv", headers=EDITOR).text)))
    assert len(rows) == 6 and {r["channel"] for r in rows} == {"web", "telegram"}
    assert {r["answered"] for r in rows} == {"yes", "no"}


def test_answers_voted_down_and_problems_show_question_answer_and_sources(site):
    answer = httpx.post(f"{site.url}/api/ask", json={"question": "Who will build the harbour bridge?"}, timeout=60).json()
    httpx.post(f"{site.url}/api/feedback", json={"answer": answer["feedback_id"], "vote": -1})
    httpx.post(f"{site.url}/api/feedback", json={"answer": answer["feedback_id"], "problem": "<b>Wrong</b> company"})
    data = httpx.get(f"{site.url}/api/insights", headers=EDITOR).json()
    down, report = data["voted_down"][0], data["reports"][0]
    assert down["question"] == "Who will build the harbour bridge?" and down["answer"] == answer["answer"]
    assert down["sources"][0]["title"] == answer["citations"][0]["title"]
    assert report["reason"] == "<b>Wrong</b> company"
    page = httpx.get(f"{site.url}/insights", headers=EDITOR).text
    assert "&lt;b&gt;Wrong&lt;/b&gt; company" in page and "<b>Wrong</b>" not in page


def test_questions_past_the_retention_period_are_deleted(tmp_path):
    state = open_state(Settings(data_dir=tmp_path))
    log = QuestionLog(state, days=30)
    now = time.time()
    log.record(LoggedQuestion(now - 31 * 86400, "old question", True, "plain", "web"))
    log.record(LoggedQuestion(now - 29 * 86400, "recent question", False, "plain", "telegram"))
    assert log.purge(now) == 1
    kept = log.between("2000-01-01", "2100-01-01")
    assert [q.question for q in kept] == ["recent question"]
