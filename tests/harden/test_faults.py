"""Faults (issue 12): a full disk during an ingest, two writers racing. (kill -9 during reindex:
test_maintenance.py; a refresh under load: tests/interfaces/bot/test_bot_hardening.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from embeddings.local.folder import IndexFolder
from qabot.ingest.pipeline import index_dir, ingest
from qabot.settings import Settings
from tests.embeddings.test_atomic import assert_consistent, write_generated

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@pytest.fixture
def small_disk(tmp_path):
    """A 12 MB tmpfs of our own (root only); unmounted at the end."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def qabot(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qabot", *argv], capture_output=True, text=True,
                          env=env or ENV, cwd=REPO, timeout=600)


def test_disk_full_during_an_ingest(small_disk, tmp_path, encoder):
    data = small_disk / "data"
    settings = Settings(data_dir=data)
    ingest([str(REPO / "qabot" / "sample_archive")], settings, encoder)
    before = assert_consistent(data)
    live = IndexFolder(index_dir(settings)).current()
    # leave less room than the next version needs (a copy of the SQLite file plus new passages)
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free - 600_000))
    big = write_generated(tmp_path / "big", 400)

    done = qabot("--data-dir", str(data), "ingest", str(big))

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "no space left" in done.stderr and "unchanged" in done.stderr
    assert IndexFolder(index_dir(settings)).current() == live
    assert assert_consistent(data) == before
    assert not list(index_dir(settings).glob(".tmp-*"))  # the writer cleaned up after itself

    filler.unlink()
    done = qabot("--data-dir", str(data), "ingest", str(big))
    assert done.returncode == 0, done.stderr
    assert assert_consistent(data) == before + 400
    leftovers = [p.name for p in index_dir(settings).iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_two_writers_racing(sample_data, tmp_path):
    """Two ingests started together: one publishes, the other says a refresh is running (or,
    if it started after the first finished, publishes too); never a mix, never a traceback."""
    first, second = write_generated(tmp_path / "a", 40), tmp_path / "b"
    second.mkdir()
    for i, path in enumerate(sorted(first.iterdir())[:20]):
        (second / f"other-{i}.txt").write_text(path.read_text().replace("council", "county council"))
    before = assert_consistent(sample_data)
    procs = [subprocess.Popen([sys.executable, "-m", "qabot", "--data-dir", str(sample_data), "ingest", str(src)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO)
             for src in (first, second)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    for code, err in results:
        assert "Traceback" not in err, err
        assert code == 0 or (code == 1 and "a refresh is already running" in err), err
    assert any(code == 0 for code, _ in results)
    published = sum(n for (code, _), n in zip(results, (40, 20), strict=True) if code == 0)
    assert assert_consistent(sample_data) == before + published
