"""The page, the widget script and `qabot serve` itself, as a newsroom deploys them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[3]
WIDGET = REPO / "qabot" / "interfaces" / "web" / "static" / "widget.js"


def test_the_page_carries_a_content_security_policy_and_follows_the_language(site):
    page = httpx.get(f"{site.url}/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert '<html lang="en">' in page.text and '<script src="/widget.js" data-mode="page"' in page.text
    romanian = httpx.get(f"{site.url}/", headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"})
    assert '<html lang="ro">' in romanian.text and "Întreabă arhiva" in romanian.text
    assert httpx.get(f"{site.url}/static/../settings.py").status_code == 404


def test_the_widget_is_one_small_script_any_site_may_load(site):
    script = httpx.get(f"{site.url}/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert len(script.content) < 30_000 and script.content == WIDGET.read_bytes()
    assert "innerHTML" not in script.text and "insertAdjacentHTML" not in script.text  # text, never HTML


def test_qabot_serve_builds_the_sample_archive_and_answers(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "qabot", "--data-dir", str(tmp_path / "data"), "serve",
                             "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "qabot serve did not start"
                time.sleep(0.5)
        assert ready.json() == {"ready": True, "articles": 18}
        answer = httpx.post(f"http://127.0.0.1:{port}/api/ask", json={"question": "Who is Ioana Preda?"}, timeout=60)
        assert answer.json()["found"] and answer.json()["citations"]
    finally:
        proc.terminate()
        proc.wait(20)
    assert "indexing the bundled sample archive" in (proc.stderr.read() if proc.stderr else "")
