"""The index folder: numbered versions, a manifest in each, one atomic switch to publish.

Layout of ``root``::

    CURRENT            name of the live version (replaced atomically with os.replace)
    v000007/           manifest.json, docs.sqlite, vectors.faiss
    .tmp-v000008-123/  a version being written (deleted if its writer dies)

A writer works on a private copy and publishes it by renaming the folder and then
replacing CURRENT, so a process killed at any moment leaves the previous version
live and intact, and a reader sees either the old version or the new one.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from embeddings.errors import StoreLocked
from embeddings.manifest import check_model, now

__all__ = ["IndexFolder", "check_model", "copy_sqlite", "now", "read_manifest"]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCS = "docs.sqlite"
VECTORS = "vectors.faiss"
_VERSION_NAME = re.compile(r"^v(\d{6,})$")


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class IndexFolder:
    """Finds, locks, publishes and garbage-collects versions under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Path | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if _VERSION_NAME.match(name) and (path / MANIFEST).exists() else None

    def token(self) -> str:
        """Changes whenever a new version is published; cheap enough to check per request."""
        try:
            return self.current_file.read_text().strip()
        except FileNotFoundError:
            return ""

    def versions(self) -> list[Path]:
        if not self.root.exists():
            return []
        found = [p for p in self.root.iterdir() if p.is_dir() and _VERSION_NAME.match(p.name)]
        return sorted(found, key=lambda p: int(p.name[1:]))

    def lock(self) -> int:
        """An exclusive lock for writers; the kernel releases it if the writer dies."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(fd)
            raise StoreLocked(f"another process is updating the index in {self.root}") from e
        return fd

    def unlock(self, fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def remove_stale(self) -> None:
        """Deletes versions left half-written by a killed writer (call with the lock held)."""
        for path in self.root.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)

    def new_workdir(self) -> tuple[Path, str]:
        versions = self.versions()
        number = int(versions[-1].name[1:]) + 1 if versions else 1
        name = f"v{number:06d}"
        work = self.root / f".tmp-{name}-{os.getpid()}"
        work.mkdir(parents=True)
        return work, name

    def publish(self, work: Path, name: str) -> Path:
        for item in work.iterdir():
            _fsync_path(item)
        final = self.root / name
        os.rename(work, final)
        _fsync_path(self.root, directory=True)
        pending = self.root / "CURRENT.tmp"
        pending.write_text(name + "\n")
        _fsync_path(pending)
        os.replace(pending, self.current_file)
        _fsync_path(self.root, directory=True)
        self._collect(keep=final)
        return final

    def _collect(self, keep: Path) -> None:
        """Keeps the live version and the one before it (a reader may still be on it)."""
        versions = [p for p in self.versions() if p != keep]
        for old in versions[:-1]:
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(version: Path) -> dict[str, Any]:
    return json.loads((version / MANIFEST).read_text())


def copy_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy even if a reader has the source open."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
