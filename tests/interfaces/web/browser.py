"""Debian's chromium driven by Selenium, with nothing downloaded (no Selenium Manager)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900", "--lang=en-GB")


def start_browser():
    """A fresh headless chromium; skips (fails in CI) when Debian's packages are missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        if os.environ.get("CI"):
            raise RuntimeError(f"{', '.join(missing)} missing: scripts/ci-system installs chromium and chromium-driver")
        pytest.skip(f"{', '.join(missing)} not installed: apt-get install chromium chromium-driver (scripts/ci-system)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed: pip install -e '.[dev]'")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="qabot-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    return driver, profile


def stop_browser(driver, profile: str) -> None:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
