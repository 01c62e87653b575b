"""`qabot watch` as a real process: new articles arrive on their own; SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .site import NewsSite


class Watch:
    """``qabot watch`` in a subprocess; its stderr lines arrive on a queue."""

    def __init__(self, data: Path, sources: str, every: str = "2s", **env: str) -> None:
        self.env = {
            **os.environ, "QABOT_DATA_DIR": str(data), "QABOT_SOURCES": sources, "QABOT_FETCH_DELAY": "0", **env,
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qabot", "watch", "--every", every],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, f"watch exited {self.proc.returncode}: {self.seen}"
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} within {timeout}s; saw {self.seen}")

    def stop(self, timeout: float = 10) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        return code, time.monotonic() - started

    def cli(self, *argv: str) -> dict:
        out = subprocess.run(
            [sys.executable, "-m", "qabot", *argv, "--json"], env=self.env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout)


@pytest.fixture
def watch_proc(tmp_path: Path, news_site: NewsSite):
    procs: list[Watch] = []

    def start(**kw: str) -> Watch:
        procs.append(Watch(tmp_path / "data", news_site.url("/sitemap.xml"), **kw))
        return procs[-1]

    yield start
    for w in procs:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()


def test_a_new_article_is_searchable_after_the_next_round(news_site: NewsSite, watch_proc) -> None:
    watch = watch_proc()
    watch.wait_for("added 3")
    news_site.publish("timisoara-tram", "Timișoara orders twenty new low-floor trams", [
        "Timișoara's public transport company ordered twenty low-floor trams from a Romanian "
        "manufacturer, to be delivered by the end of 2027, the city hall said on Wednesday.",
    ], "2025-11-12")
    watch.wait_for("added 1")
    hits = watch.cli("search", "low-floor trams Timișoara")
    assert hits["results"][0]["title"] == "Timișoara orders twenty new low-floor trams"
    line = watch.wait_for("added 0")  # a round with nothing new: nothing downloaded, nothing embedded
    assert "embedded 0 passages" in line
    code, seconds = watch.stop()
    assert code == 0 and seconds < 5


def test_sigterm_during_a_round_leaves_the_index_whole(news_site: NewsSite, watch_proc) -> None:
    watch = watch_proc(QABOT_FETCH_TIMEOUT="60")
    watch.wait_for("added 3")
    news_site.publish("galati-shipyard", "Galați shipyard launches a patrol vessel", [
        "The Galați shipyard launched an offshore patrol vessel for the Romanian Navy on Monday, "
        "the second of four ordered under the defence procurement plan.",
    ], "2025-11-13")
    news_site.extra_sitemap_urls.append(news_site.fail("/news/slow-page", "drip"))
    deadline = time.monotonic() + 60
    while news_site.count("/news/slow-page") == 0:  # the round is now downloading, slowly
        assert time.monotonic() < deadline
        time.sleep(0.1)
    code, seconds = watch.stop()
    assert code == 0 and seconds < 5
    stats = watch.cli("stats")
    assert stats["articles"] == 3  # the published version, whole; the interrupted round left no trace
