"""The website under test: a real uvicorn server on loopback over a copy of the sample index
plus the newsroom's test archive (``newsroom.py``), and the newsroom's site on other origins."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.interfaces.web.newsroom import Site, write_archive

ADMIN_TOKEN = "editors-only-7f3a9c"


@pytest.fixture(scope="session")
def newsroom() -> Iterator[Site]:
    site = Site()
    yield site
    site.close()


@pytest.fixture(scope="session")
def other_site() -> Iterator[Site]:
    """A site whose origin is not in QABOT_WEB_ORIGINS."""
    site = Site()
    yield site
    site.close()


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory, sample_index: Path, newsroom: Site, encoder) -> Path:
    """The sample index plus the newsroom's articles (read-only: servers copy it)."""
    from qabot.ingest.pipeline import ingest
    from qabot.settings import Settings

    data = tmp_path_factory.mktemp("web-data") / "data"
    shutil.copytree(sample_index, data)
    archive = write_archive(tmp_path_factory.mktemp("newsroom-archive"), newsroom.url)
    report = ingest([str(archive)], Settings(data_dir=data), encoder)
    assert not report.failed and report.added == 3
    return data


@dataclass
class Running:
    url: str
    service: Any
    settings: Any
    server: Any


@pytest.fixture
def start_server(tmp_path: Path, web_index: Path, encoder, newsroom: Site) -> Iterator[Callable[..., Running]]:
    """Starts ``qabot serve``'s application on a free loopback port with extra settings."""
    import uvicorn

    from qabot.interfaces.web.app import create_app, server_config
    from qabot.settings import Settings
    from qabot.wiring import open_service

    running: list[tuple[Any, threading.Thread]] = []

    def start(**overrides: Any) -> Running:
        data = tmp_path / f"data{len(running)}"
        shutil.copytree(web_index, data)
        fields = {"web_origins": [newsroom.url], "web_admin_token": ADMIN_TOKEN, **overrides}
        settings = Settings(data_dir=data, **fields)
        service = open_service(settings, encoder)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(server_config(create_app(settings, service)))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        running.append((server, thread))
        newsroom.qabot = url
        return Running(url, service, settings, server)

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def site(start_server: Callable[..., Running]) -> Running:
    """The website with the default limits."""
    return start_server()
