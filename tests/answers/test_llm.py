"""The generative answer against a loopback stand-in for an OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qabot.answers.llm import LLMAnswerer, Passage
from qabot.settings import Settings
from qabot.wiring import open_service

KEY = "sk-test-7f3a9c-never-log-me"

PASSAGES = [
    Passage(
        1,
        "Harbour bridge reopens",
        "2031-04-02",
        "https://news.example/bridge",
        "The Kelsey harbour bridge reopened on Tuesday after eight months of repairs.",
    ),
    Passage(
        2,
        "Council approves ferry budget",
        "2031-03-28",
        "https://news.example/ferry",
        "Councillors approved 4.2 million for two electric ferries on the harbour route.",
    ),
]
GOOD = (
    "The Kelsey harbour bridge reopened on Tuesday after repairs [1]. Two ferries were funded [2]."
)


def completion(content: str) -> bytes:
    return json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": content}}]}
    ).encode()


class StandIn:
    """Records each request; ``reply`` decides the (status, body) per test."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.reply: Callable[[dict], tuple[int, bytes]] = lambda req: (200, completion(GOOD))
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "json": json.loads(body),
                }
                stand_in.requests.append(request)
                status, payload = stand_in.reply(request)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def endpoint() -> Iterator[StandIn]:
    stand_in = StandIn()
    thread = threading.Thread(target=stand_in.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


@pytest.fixture
def caplog_all(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # httpx/httpcore debug lines too: the key must be in none
    return caplog


def answerer(url: str, key: str = KEY, timeout: float = 5.0) -> LLMAnswerer:
    settings = Settings(
        _env_file=None,
        llm_url=url,
        llm_model="news-writer-3b",
        llm_api_key=key,
        llm_timeout=timeout,
    )
    return LLMAnswerer(settings)


def assert_fell_back(result: str | None, caplog: pytest.LogCaptureFixture, reason: str) -> None:
    assert result is None
    warnings = [r for r in caplog.records if r.name == "qabot.answers.llm" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert reason in warnings[0].getMessage()
    assert all(KEY not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1", "/v1/"])
def test_cited_answer_is_returned_and_request_carries_passages_model_and_key(
    endpoint: StandIn, caplog_all: pytest.LogCaptureFixture, path: str
) -> None:
    result = answerer(endpoint.base + path).answer("When did the bridge reopen?", PASSAGES)

    assert result == GOOD
    (request,) = endpoint.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    body = request["json"]
    assert body["model"] == "news-writer-3b"
    assert body["temperature"] == 0
    assert body["messages"][0]["role"] == "system"
    user = body["messages"][-1]["content"]
    for p in PASSAGES:
        assert f"[{p.n}] {p.title}" in user and p.text in user and p.published in user
    assert "When did the bridge reopen?" in user
    assert all(KEY not in r.getMessage() for r in caplog_all.records)


def test_no_key_sends_no_authorization(endpoint: StandIn) -> None:
    assert answerer(endpoint.base + "/v1", key="").answer("Bridge?", PASSAGES) == GOOD
    assert "Authorization" not in endpoint.requests[0]["headers"]


def test_history_is_sent_before_the_question(endpoint: StandIn) -> None:
    history = [("Which bridge was closed?", "The Kelsey harbour bridge [1].")]
    answerer(endpoint.base + "/v1").answer("When did it reopen?", PASSAGES, history)

    messages = endpoint.requests[0]["json"]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "Which bridge was closed?"
    assert "Kelsey harbour bridge" in messages[2]["content"]
    assert "When did it reopen?" in messages[3]["content"]


@pytest.mark.parametrize(
    ("content", "accepted"),
    [
        ("It reopened on Tuesday [1][2].", True),
        ("It reopened on Tuesday [1, 2].", True),
        ("It reopened on Tuesday [7].", False),
        ("It reopened on Tuesday [1, 3].", False),
        ("It reopened on Tuesday [1][3].", False),
        ("It reopened on Tuesday.", False),
        ("   ", False),
    ],
)
def test_answers_must_cite_only_given_passages(
    endpoint: StandIn, caplog_all: pytest.LogCaptureFixture, content: str, accepted: bool
) -> None:
    endpoint.reply = lambda req: (200, completion(content))
    result = answerer(endpoint.base + "/v1").answer("When did the bridge reopen?", PASSAGES)
    if accepted:
        assert result == content
    else:
        reason = "empty" if not content.strip() else "cites"
        assert_fell_back(result, caplog_all, reason)


def test_http_500_falls_back_without_leaking_the_echoed_key(
    endpoint: StandIn, caplog_all: pytest.LogCaptureFixture
) -> None:
    # A careless server echoing the request headers must not put the key in our log.
    endpoint.reply = lambda req: (
        500,
        json.dumps({"error": f"upstream rejected {req['headers']['Authorization']}"}).encode(),
    )
    result = answerer(endpoint.base + "/v1").answer("Bridge?", PASSAGES)
    assert_fell_back(result, caplog_all, "HTTP 500")


def test_slow_endpoint_times_out(endpoint: StandIn, caplog_all: pytest.LogCaptureFixture) -> None:
    def slow(req: dict) -> tuple[int, bytes]:
        time.sleep(1.5)
        return 200, completion(GOOD)

    endpoint.reply = slow
    result = answerer(endpoint.base + "/v1", timeout=0.2).answer("Bridge?", PASSAGES)
    assert_fell_back(result, caplog_all, "no reply within")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"<html>gateway error", "not JSON"),
        (b'{"choices": []}', "no choices"),
        (b'{"choices": [{"message": {"content": null}}]}', "not text"),
    ],
)
def test_malformed_response_falls_back(
    endpoint: StandIn, caplog_all: pytest.LogCaptureFixture, payload: bytes, reason: str
) -> None:
    endpoint.reply = lambda req: (200, payload)
    result = answerer(endpoint.base + "/v1").answer("Bridge?", PASSAGES)
    assert_fell_back(result, caplog_all, reason)


def test_connection_refused_falls_back(caplog_all: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again on exit, so nothing listens there
    result = answerer(f"http://127.0.0.1:{port}/v1").answer("Bridge?", PASSAGES)
    assert_fell_back(result, caplog_all, "ConnectError")


# --- the service uses it when QABOT_LLM_URL is set, and falls back to the extractive answer ---


def llm_service(sample_data, encoder, url: str):

    settings = Settings(_env_file=None, data_dir=sample_data, llm_url=url, llm_timeout=2.0)
    return open_service(settings, encoder)


def test_service_answers_with_the_llm_and_maps_its_citations(endpoint, sample_data, encoder):
    endpoint.reply = lambda req: (200, completion("The rate was cut to 6.25% [1]."))
    answer = llm_service(sample_data, encoder, endpoint.base + "/v1").ask("What is the new policy rate?")
    assert answer.answer == "The rate was cut to 6.25% [1]."
    assert [c.n for c in answer.citations] == [1]
    sent = endpoint.requests[0]["json"]["messages"][-1]["content"]
    assert answer.citations[0].title in sent and "6.25%" in sent


def test_service_falls_back_on_a_citation_to_a_passage_not_given(endpoint, sample_data, encoder):
    endpoint.reply = lambda req: (200, completion("Rates fell [9]."))
    answer = llm_service(sample_data, encoder, endpoint.base + "/v1").ask("What is the new policy rate?")
    assert endpoint.requests and "[9]" not in answer.answer
    assert "6.25%" in answer.answer and answer.citations


def test_service_falls_back_when_the_endpoint_is_down(sample_data, encoder):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    answer = llm_service(sample_data, encoder, f"http://127.0.0.1:{port}/v1").ask("What is the new policy rate?")
    assert answer.found and "6.25%" in answer.answer


@pytest.mark.parametrize("cited,numbers", [("[1-2]", [1, 2]), ("[1;2]", [1, 2]), ("[1\u20132]", [1, 2]),
                                           ("[2, 1]", [1, 2])])
def test_service_keeps_the_sources_of_ranges_and_other_separators(endpoint, sample_data, encoder, cited, numbers):
    endpoint.reply = lambda req: (200, completion(f"The A16 motorway is being built {cited}."))
    answer = llm_service(sample_data, encoder, endpoint.base + "/v1").ask("What is happening with the A16 motorway?")
    assert "[2]" in endpoint.requests[-1]["json"]["messages"][-1]["content"]  # two passages were given
    assert cited in answer.answer  # the model's answer, not the fallback
    assert [c.n for c in answer.citations] == numbers
