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
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.docstore import SCHEMA_VERSION, DocStore
from embeddings.errors import ModelMismatch, NoIndex, StoreError, StoreLocked
from embeddings.faiss_index import VectorIndex, rebuild, rebuild_target

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCS = "docs.sqlite"
VECTORS = "vectors.faiss"
_VERSION_NAME = re.compile(r"^v(\d{6,})$")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


class Store:
    """A published version opened for reading: documents, chunks, keyword and vector search."""

    def __init__(self, path: Path, manifest: dict[str, Any], docs: DocStore, vectors: VectorIndex):
        self.path = path
        self.manifest = manifest
        self.docs = docs
        self.vectors = vectors

    @property
    def version(self) -> str:
        return self.path.name

    @classmethod
    def open(cls, root: Path, *, model_id: str | None = None) -> Store:
        folder = IndexFolder(root)
        path = folder.current()
        if path is None:
            raise NoIndex(f"no index in {root}")
        manifest = read_manifest(path)
        check_model(manifest, model_id)
        docs = _open_docs(path / DOCS)
        vectors = VectorIndex.load(path / VECTORS) if (path / VECTORS).exists() else None
        if vectors is None:
            vectors = VectorIndex.create(int(manifest["dim"]), "flat")
        return cls(path, manifest, docs, vectors)

    def dense_search(
        self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """(chunk id, cosine) best first."""
        if len(self.vectors) == 0:
            return []
        scores, ids = self.vectors.search(query.reshape(1, -1).astype(np.float32), k, allowed_ids)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def close(self) -> None:
        self.docs.close()


def _open_docs(file: Path) -> DocStore:
    """Opens the SQLite file read-only and reads its counts, so a damaged or truncated file is
    reported here, naming it, rather than as a traceback in the middle of a question."""
    try:
        docs = DocStore(file, readonly=True)
        docs.counts()  # count(*) walks every page of the smallest index of each table
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{file}: not a readable SQLite database ({e})") from e
    return docs


def check_model(manifest: dict[str, Any], model_id: str | None) -> None:
    if model_id and manifest.get("model") and manifest["model"] != model_id:
        raise ModelMismatch(
            f"the index was built with model {manifest['model']!r} but {model_id!r} is configured"
        )


class StoreWriter:
    """Edits a private copy of the live version; ``commit`` publishes it, leaving it discards it."""

    def __init__(
        self,
        root: Path,
        *,
        model_id: str,
        index_kind: str = "auto",
        settings: dict[str, Any] | None = None,
        rebuild_all: bool = False,
    ) -> None:
        self.folder = IndexFolder(root)
        self.model_id = model_id
        self.index_kind = index_kind
        self.settings = settings or {}
        self.rebuild_all = rebuild_all
        self.vectors: VectorIndex | None = None
        self.created_at = _now()
        self._lock: int | None = None
        self.work: Path | None = None

    def __enter__(self) -> StoreWriter:
        self._lock = self.folder.lock()
        try:
            self.folder.remove_stale()
            self.work, self.name = self.folder.new_workdir()
            current = None if self.rebuild_all else self.folder.current()
            if current is not None:
                manifest = read_manifest(current)
                check_model(manifest, self.model_id)
                self.created_at = manifest.get("created_at", self.created_at)
                _copy_sqlite(current / DOCS, self.work / DOCS)
                if (current / VECTORS).exists():
                    self.vectors = VectorIndex.load(current / VECTORS)
            self.docs = DocStore(self.work / DOCS)
        except BaseException:
            self._abort()
            raise
        return self

    def add_vectors(self, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        if self.vectors is None:  # new vectors go in flat; commit converts to the chosen kind
            self.vectors = VectorIndex.create(int(vectors.shape[1]), "flat")
        self.vectors.add(np.asarray(ids, dtype=np.int64), vectors)

    def remove_vectors(self, ids: list[int]) -> None:
        if ids and self.vectors is not None:
            self.vectors.remove(np.asarray(ids, dtype=np.int64))

    def commit(self) -> Path:
        assert self.work is not None
        if self.vectors is not None:
            target = rebuild_target(self.vectors, self.index_kind)
            if target is not None:
                self.vectors = rebuild(self.vectors, target)
        self.docs.optimize()
        self.docs.db.commit()
        counts = self.docs.counts()
        self.docs.close()
        dim = self.vectors.dim if self.vectors is not None else 0
        if self.vectors is not None:
            self.vectors.save(self.work / VECTORS)
        manifest = {
            "format": FORMAT_VERSION,
            "schema_version": SCHEMA_VERSION,
            "model": self.model_id,
            "dim": dim,
            "index": self.vectors.kind if self.vectors is not None else "flat",
            "counts": counts,
            "settings": self.settings,
            "version": self.name,
            "created_at": self.created_at,
            "updated_at": _now(),
        }
        (self.work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        published = self.folder.publish(self.work, self.name)
        self.work = None
        return published

    def _abort(self) -> None:
        if self.work is not None:
            with suppress(Exception):
                self.docs.close()
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None
        if self._lock is not None:
            self.folder.unlock(self._lock)
            self._lock = None

    def __exit__(self, *exc: object) -> None:
        self._abort()


def _copy_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy even if a reader has the source open."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
