"""News answers in Telegram over a dated archive of our own (tests/data/dated): a timeline
question gets a dated list, oldest first, and each source links to its quoted sentence; the
stand-in (Telegram's HTML rules) accepts every message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DATED = Path(__file__).resolve().parents[2] / "data" / "dated" / "articles.jsonl"


@pytest.fixture(scope="module")
def dated_dir(tmp_path_factory: pytest.TempPathFactory, encoder: Any) -> Path:
    from qabot.service.qa import QAService
    from qabot.settings import Settings

    data = tmp_path_factory.mktemp("bot-dated") / "data"
    report = QAService(Settings(_env_file=None, data_dir=data), encoder).ingest([str(DATED)])
    assert not report.failed, report.failed
    return data


async def test_a_timeline_is_a_dated_list_with_deep_linked_sources(start_bot, dated_dir):
    bot = await start_bot(data_dir=dated_dir, as_of_days=100_000)
    parts = await bot.say("How has the airport metro line project developed?", until_keyboard=True)
    html = "\n".join(p["html"] for p in parts)
    lines = [line for line in html.splitlines() if line.startswith("• <b>")]
    assert [re.match(r"• <b>([^<]+)</b>", line).group(1) for line in lines[:3]] == [
        "12 March 2026", "18 June 2026", "21 October 2026",
    ]
    assert all(re.search(r" \[\d\]$", line) for line in lines)
    links = re.findall(r'<a href="([^"]+)">', html)
    assert links and all("#:~:text=" in link for link in links)
    assert "https://exemplunews.ro/society/metro-2026-03#:~:text=Metrorex%20opened%20the%20tender" in links[0]
    assert not bot.api.of("sendMessage", ok=False)  # Telegram's HTML rules accepted every part


async def test_a_present_tense_answer_carries_its_date_in_telegram(start_bot, dated_dir):
    bot = await start_bot(data_dir=dated_dir, as_of_days=100_000)
    parts = await bot.say("What is the central bank's policy rate now?", until_keyboard=True)
    text = "\n".join(p["text"] for p in parts)
    assert "5.75%" in text and "(4 November 2026) [1]" in text and "Earlier: " in text
    assert not bot.api.of("sendMessage", ok=False)
