"""`qabot telegram` as a real process: clean stop on SIGTERM, and the token never logged."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from qabot.interfaces.bot.logs import protect

from .conftest import ROOT


def bot_process(standin, data_dir, token: str, **extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QABOT_", "TELEGRAM_"))}
    env.update(extra)
    env.update(
        QABOT_TELEGRAM_API_URL=standin.url,
        QABOT_TELEGRAM_TOKEN=token,
        QABOT_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "qabot", "-v", "telegram"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@contextmanager
def running_bot(standin, data_dir, token: str, **extra: str) -> Iterator[subprocess.Popen]:
    """``bot_process``, killed on the way out if the test did not ``stop`` it."""
    proc = bot_process(standin, data_dir, token, **extra)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def stop(proc: subprocess.Popen, timeout: float = 30) -> tuple[str, str]:
    """SIGTERM, as a service manager stops the bot; its (stdout, stderr)."""
    proc.send_signal(signal.SIGTERM)
    return proc.communicate(timeout=timeout)


def test_sigterm_finishes_the_answer_in_progress_and_exits_cleanly(standin, data_dir):
    with running_bot(standin, data_dir, standin.token) as proc:
        standin.wait_for_sync(lambda: standin.of("setMyCommands") or proc.poll() is not None, timeout=180)
        assert proc.poll() is None, proc.communicate()
        standin.send_text("How long will the new tram line in Timisoara be?")
        standin.wait_for_sync(lambda: standin.of("sendChatAction"))  # the answer is being worked on
        out, err = stop(proc)  # "a few seconds"; generous for a busy CI box
    assert proc.returncode == 0, err
    [answer] = [m for m in standin.sent(1001) if m.get("reply_markup")]
    assert "6.8 km" in answer["text"]
    assert "Application is stopping" in err  # it logged at -v, and still no token:
    assert standin.token not in out + err
    assert standin.token.split(":")[1] not in out + err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webhook_mode_takes_updates_only_with_the_secret(standin, data_dir):
    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg-hook"
    with running_bot(
        standin, data_dir, standin.token,
        QABOT_TELEGRAM_WEBHOOK_URL=hook, QABOT_TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        QABOT_TELEGRAM_WEBHOOK_PORT=str(port),
    ) as proc:
        standin.wait_for_sync(lambda: standin.of("setWebhook") or proc.poll() is not None, timeout=180)
        assert proc.poll() is None, proc.communicate()
        [registered] = standin.of("setWebhook")
        assert registered.params["url"] == hook
        secret = registered.params["secret_token"]
        assert secret and secret not in standin.token

        standin.send_text("/help")
        [update] = standin.pop_updates()
        # the webhook server may need a moment after setWebhook to accept connections
        standin.wait_for_sync(lambda: _post(hook, {"update_id": 0}, "wrong") is not None, timeout=30)
        assert _post(hook, update, "wrong-secret") == 403  # strangers cannot inject updates
        assert _post(hook, update, secret) == 200
        [help_] = standin.wait_for_sync(lambda: standin.sent(1001))
        assert "/search" in help_["text"]
        out, err = stop(proc)
    assert proc.returncode == 0, err
    assert standin.token not in out + err and secret not in out + err


def _post(url: str, update: dict, secret: str) -> int | None:
    try:
        r = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}, timeout=5)
    except httpx.TransportError:
        return None
    return r.status_code


def test_a_rejected_token_is_reported_without_showing_it(standin, data_dir):
    wrong = "987654321:AAH-wrong-SECRET-token-value_9876543"
    proc = bot_process(standin, data_dir, wrong)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1
    assert "Telegram rejected the bot token" in err
    assert wrong not in out + err and wrong.split(":")[1] not in out + err


def test_log_records_mask_the_token_in_messages_and_tracebacks(caplog):
    token = "555666777:AAE-log-SECRET-token_000111222333"
    protect(token)
    log = logging.getLogger("qabot.test")
    with caplog.at_level(logging.INFO):
        log.info("calling https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError(f"The token `{token}` was rejected by the server.")
        except RuntimeError:
            log.exception("startup failed")
    text = caplog.text + "".join(logging.Formatter().format(r) for r in caplog.records)
    assert token not in text
    assert "https://api.telegram.org/bot[REDACTED]/getMe" in text
    assert "The token `[REDACTED]` was rejected" in text


@pytest.mark.parametrize("api_url, files", [
    ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
    ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
])
def test_file_url_follows_the_api_url(api_url, files):
    from qabot.interfaces.bot.app import file_url

    assert file_url(api_url) == files


def test_qabot_telegram_refreshes_on_schedule_and_stops_cleanly(standin, data_dir, tmp_path):
    from .conftest import LATE, write_jsonl

    feed = write_jsonl(tmp_path / "wire.jsonl", [])
    with running_bot(standin, data_dir, standin.token, QABOT_SOURCES=str(feed), QABOT_REFRESH_EVERY="2s") as proc:
        standin.wait_for_sync(lambda: standin.of("setMyCommands") or proc.poll() is not None, timeout=180)
        assert proc.poll() is None, proc.communicate()
        write_jsonl(feed, [LATE])  # published after the bot started

        def found() -> bool:
            before = len(standin.sent(1001))
            standin.send_text("/search electric ferry Lake Sarmis")
            replies = standin.wait_for_sync(lambda: standin.sent(1001)[before:], timeout=60)
            return "Electric ferry starts service" in replies[0]["text"]

        deadline = time.monotonic() + 120
        while not found():
            assert time.monotonic() < deadline, "the new article never became searchable"
            time.sleep(1)
        out, err = stop(proc)
    assert proc.returncode == 0, err
    assert "Refreshing the sources every 2s" in err and "Scheduled refresh" in err
    assert standin.token not in out + err
