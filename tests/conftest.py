"""Shared fixtures: offline model, a clean environment, and a sample-archive index built once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARCHIVE = REPO / "qabot" / "sample_archive"
BBC = REPO.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user settings leak in: no QABOT_* variables and no .env from the working directory."""
    for name in list(os.environ):
        if name.startswith("QABOT_") or name == "TELEGRAM_BOT_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # the converted model, per test


@pytest.fixture(scope="session")
def encoder():
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    from embeddings.encoder import SentenceEncoder

    enc = SentenceEncoder()
    enc.embed(["warm up"])
    return enc


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, encoder) -> Path:
    """A data folder indexed from the bundled sample archive (read-only: copy it to change it)."""
    from qabot.pipeline import ingest
    from qabot.settings import Settings

    data = tmp_path_factory.mktemp("sample-data")
    report = ingest([str(SAMPLE_ARCHIVE)], Settings(data_dir=data), encoder)
    assert not report.failed and report.added >= 18
    return data


@pytest.fixture
def sample_data(tmp_path: Path, sample_index: Path) -> Path:
    """A private, writable copy of the sample index."""
    target = tmp_path / "data"
    shutil.copytree(sample_index, target)
    return target


@pytest.fixture
def service(sample_data: Path, encoder):
    from qabot.service import QAService
    from qabot.settings import Settings

    return QAService.open(Settings(data_dir=sample_data), encoder)
