"""Settings: environment, .env, aliases, the documented example, secrets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qabot.settings import Settings

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "qabot.example.env"


def test_every_setting_is_documented_in_the_example():
    documented = set(re.findall(r"QABOT_([A-Z_]+)=", EXAMPLE.read_text()))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_environment_and_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("QABOT_DATA_DIR=/srv/qabot\nQABOT_SOURCES=/a, https://x.test/feed\n")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret-token")
    monkeypatch.setenv("QABOT_CLEAN_PATTERNS", r"^Share on .{1,20}$")
    settings = Settings()
    assert settings.data_dir == Path("/srv/qabot")
    assert settings.sources == ["/a", "https://x.test/feed"]
    assert settings.clean_patterns == [r"^Share on .{1,20}$"]
    assert settings.telegram_token.get_secret_value() == "123:secret-token"
    assert "secret-token" not in repr(settings) and "secret-token" not in str(settings.model_dump())


def test_qabot_token_wins_over_the_generic_name(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:generic")
    monkeypatch.setenv("QABOT_TELEGRAM_TOKEN", "2:specific")
    assert Settings().telegram_token.get_secret_value() == "2:specific"


def test_torch_threads_setting_limits_the_encoder(tmp_path):
    """Threads are process-wide in torch, so this runs in a process of its own."""

    code = (
        "import torch\n"
        "print(torch.get_num_threads())\n"
        "from qabot.wiring import build_encoder\n"
        "from qabot.settings import Settings\n"
        "encoder = build_encoder(Settings())\n"
        "encoder.embed(['a harbour opens'])\n"
        "print(torch.get_num_threads())\n"
    )
    env = {**os.environ, "QABOT_TORCH_THREADS": "1", "QABOT_DATA_DIR": str(tmp_path)}
    env.pop("OMP_NUM_THREADS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    before, after = out.stdout.split()[-2:]
    if before == "1":
        pytest.skip("torch uses one thread here anyway")
    assert after == "1"


def test_question_threads_leave_a_core_to_the_keyword_search_of_a_large_archive(tmp_path, monkeypatch):
    from embeddings.keyword import PRUNE_FROM
    from qabot.service.qa import question_threads

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    chosen = Settings(data_dir=tmp_path)
    assert question_threads(chosen, PRUNE_FROM - 1) == 0  # every core: the keyword search is quick
    assert question_threads(chosen, PRUNE_FROM) == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert question_threads(chosen, 10 * PRUNE_FROM) == 1
    assert question_threads(Settings(data_dir=tmp_path, question_threads=2), PRUNE_FROM - 1) == 2
