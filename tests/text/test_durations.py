"""Durations in settings and on the command line: one parser, clear errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qabot.errors import ConfigError
from qabot.settings import Settings
from qabot.text.durations import format_duration, parse_duration


@pytest.mark.parametrize("text, seconds", [
    ("90s", 90), ("15m", 900), ("1h30m", 5400), ("2h", 7200), ("1d", 86400), ("1.5m", 90),
    ("45", 45), (" 10M ", 600), ("", 0), ("1h 5m", 3900),
])
def test_durations_people_write(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "15 minutes", "m15", "-5", "1x", "5m later"])
def test_a_bad_duration_names_the_setting(text):
    with pytest.raises(ConfigError, match=r"refresh_every: .* (not a duration|negative)"):
        parse_duration(text, name="refresh_every")


def test_refresh_every_setting(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QABOT_REFRESH_EVERY", "15m")
    assert Settings().refresh_seconds == 900
    monkeypatch.setenv("QABOT_REFRESH_EVERY", "every hour")
    with pytest.raises(ValidationError, match="refresh_every: 'every hour' is not a duration"):
        Settings()
    monkeypatch.delenv("QABOT_REFRESH_EVERY")
    assert Settings().refresh_seconds == 0  # no schedule by default


def test_format_reads_back():
    assert [format_duration(s) for s in (900, 90, 5400, 0, 86400)] == ["15m", "1m30s", "1h30m", "0s", "1d"]
    assert parse_duration(format_duration(5400)) == 5400
