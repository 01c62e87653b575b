"""Fixtures for the bot tests: a real index (sample archive + a few fictional articles of our
own), the Bot API stand-in, and the real Application polling it."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qabot.wiring import open_service

from .standin import StandIn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "qabot" / "sample_archive"

# Fictional articles written for these tests. The first has markup in its headline, as a
# careless CMS export might; readers must see it as text and Telegram must accept it.
EXTRA = [
    {
        "id": "bot-test-poster-rules",
        "url": "https://exemplunews.ro/local/valea-mica-poster-rules?ref=a&b=<c>",
        "title": "Valea Mică council bans <script> posters & <b>bold</b> banners in the old town",
        "text": (
            "The local council of Valea Mică on Monday banned flashing advertising posters and oversized "
            "bold banners from the facades of the old town, after residents complained about light at night.\n\n"
            "Mayor Irina Cozmescu said shop owners have until 1 March to replace the banners with wooden "
            "signs no wider than 1.2 metres. Fines for breaking the rule start at 800 lei."
        ),
        "published": "2025-09-22",
        "author": "Test Desk",
        "section": "Local",
    },
]
# Published later, from outside the bot, to check that a running bot picks it up.
LATE = {
    "id": "bot-test-sarmis-ferry",
    "url": "https://exemplunews.ro/local/lake-sarmis-electric-ferry",
    "title": "Electric ferry starts service across Lake Sarmis",
    "text": (
        "An electric ferry built at the Orsova shipyard started carrying passengers across Lake Sarmis "
        "on Saturday, replacing a diesel boat that had served the two lakeside villages since 1979.\n\n"
        "The ferry takes 60 passengers and 8 bicycles, crosses the lake in 14 minutes and charges "
        "its batteries from solar panels on the pier roof. A ticket costs 5 lei."
    ),
    "published": "2025-10-18",
    "author": "Test Desk",
    "section": "Local",
}


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def encoder() -> Any:
    from qabot.settings import Settings
    from qabot.wiring import build_encoder

    encoder = build_encoder(Settings(_env_file=None))
    encoder.embed(["warm up"])  # load the question model now, not inside a test's answer timeout
    return encoder


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, encoder: Any) -> Path:
    """A data folder indexed once per session from the sample archive and ``EXTRA``."""
    from qabot.service.qa import QAService
    from qabot.settings import Settings

    root = tmp_path_factory.mktemp("bot-index")
    extra = write_jsonl(root / "extra.jsonl", EXTRA)
    data = root / "data"
    report = QAService(Settings(_env_file=None, data_dir=data), encoder).ingest([str(SAMPLE), str(extra)])
    assert not report.failed, report.failed
    return data


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn() as api:
        yield api


@pytest.fixture
def data_dir(tmp_path: Path, built_index: Path) -> Path:
    """A private copy of the index, so tests may refresh it and write feedback."""
    return Path(shutil.copytree(built_index, tmp_path / "data"))


@pytest.fixture
def make_settings(data_dir: Path, standin: StandIn) -> Any:
    from qabot.settings import Settings

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": data_dir,
            "telegram_token": standin.token,
            "telegram_api_url": standin.url,
            "telegram_admins": ["1001"],
            "telegram_allowlist": [],
            "rate_limit_count": 50,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@dataclass
class RunningBot:
    """The real Application polling the stand-in, and helpers to talk to it as a reader."""

    api: StandIn
    app: Any
    service: Any
    settings: Any

    async def say(
        self,
        text: str,
        *,
        chat: dict | None = None,
        user: dict | None = None,
        reply_to: dict | None = None,
        until_keyboard: bool = False,
    ) -> list[dict]:
        """Send a text and wait for the bot's reply (all parts, if ``until_keyboard``)."""
        user = user or self.api.user()
        chat = chat or self.api.chat(user["id"])
        before = len(self.api.sent(chat["id"]))
        self.api.send_text(text, chat=chat, user=user, reply_to=reply_to)

        def replies() -> list[dict] | None:
            new = self.api.sent(chat["id"])[before:]
            if not new:
                return None
            if until_keyboard and not new[-1].get("reply_markup"):
                return None
            return new

        return await self.api.wait_for(replies)

    async def stop(self) -> None:
        """Stop as ``qabot telegram`` does on SIGTERM (e.g. to start it again)."""
        from qabot.interfaces.bot.app import post_stop

        if self.app.running:
            await self.app.updater.stop()
            await self.app.stop()
            await post_stop(self.app)
            await self.app.shutdown()


@pytest.fixture
async def start_bot(make_settings: Any, standin: StandIn, encoder: Any) -> AsyncIterator[Any]:
    """``await start_bot(**settings)`` runs the real bot against the stand-in until the test ends."""
    from qabot.interfaces.bot.app import UPDATES, build_application, post_init, post_stop

    running: list[Any] = []

    async def start(**overrides: Any) -> RunningBot:
        settings = make_settings(**overrides)
        service = open_service(settings, encoder)
        app = build_application(settings, service)
        await app.initialize()
        await post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=UPDATES)
        await app.start()
        running.append(app)
        return RunningBot(standin, app, service, settings)

    yield start
    for app in running:
        if app.running:
            await app.updater.stop()
            await app.stop()
            await post_stop(app)
            await app.shutdown()


@pytest.fixture(params=["local", "postgres"])
def backend_settings(request: pytest.FixtureRequest, data_dir) -> dict:
    """Settings overrides putting the bot's archive and state on one backend (PostgreSQL gets a
    copy of the same index, vectors included)."""
    if request.param == "local":
        return {}
    from embeddings.copy import copy_archive
    from embeddings.factory import open_store

    url = request.getfixturevalue("postgres").new_database()
    source = open_store(data_dir / "index")
    copy_archive(source, url)
    source.close()
    return {"database_url": url}
