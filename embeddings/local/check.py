"""Integrity of one published version folder: manifest, SQLite, FAISS ids, keyword index.

Reads only; the FTS5 check runs on a private copy because SQLite runs it as a write.
Each problem names the part it is about, so the application can say how to repair it.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.errors import StoreError

DOCUMENTS, VECTORS, KEYWORDS, MANIFEST = "documents", "vectors", "keywords", "manifest"


@dataclass(frozen=True)
class Problem:
    part: str  # one of DOCUMENTS, VECTORS, KEYWORDS, MANIFEST
    file: str
    what: str


@dataclass(frozen=True)
class Facts:
    documents: int
    chunks: int
    vectors: int


def check_version(path: Path) -> tuple[Facts, list[Problem]]:
    """Everything found wrong with the version in ``path`` (empty when it is whole)."""
    from embeddings.local.folder import DOCS
    from embeddings.local.folder import MANIFEST as MANIFEST_FILE
    from embeddings.local.folder import VECTORS as VECTORS_FILE

    problems: list[Problem] = []
    manifest = _manifest(path / MANIFEST_FILE, problems)
    chunk_ids, documents = _documents(path / DOCS, problems)
    vector_ids = _vector_ids(path / VECTORS_FILE, problems, expected=bool(chunk_ids))
    facts = Facts(documents or 0, len(chunk_ids or []), len(vector_ids) if vector_ids is not None else 0)
    if chunk_ids is not None and vector_ids is not None:
        _compare_ids(path / VECTORS_FILE, np.asarray(sorted(chunk_ids), dtype=np.int64), vector_ids, problems)
    if manifest is not None and chunk_ids is not None:
        counts = manifest.get("counts", {})
        stored = {"documents": documents, "chunks": len(chunk_ids)}
        if counts != stored:
            problems.append(Problem(MANIFEST, str(path / MANIFEST_FILE),
                                    f"counts {counts} but the SQLite file holds {stored}"))
    return facts, problems


def _manifest(file: Path, problems: list[Problem]) -> dict | None:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
    except (OSError, ValueError) as e:
        problems.append(Problem(MANIFEST, str(file), f"unreadable ({e})"))
        return None


def _documents(file: Path, problems: list[Problem]) -> tuple[list[int] | None, int | None]:
    """The chunk ids and the document count; checks SQLite's integrity and the FTS5 index."""
    if not file.is_file():
        problems.append(Problem(DOCUMENTS, str(file), "missing"))
        return None, None
    try:
        db = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            result = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                problems.append(Problem(DOCUMENTS, str(file), "SQLite integrity_check: " + "; ".join(result[:3])))
                return None, None
            chunk_ids = [r[0] for r in db.execute("SELECT id FROM chunks")]
            documents = int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
            orphans = db.execute(
                "SELECT count(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
            ).fetchone()[0]
            if orphans:
                problems.append(Problem(DOCUMENTS, str(file), f"{orphans} passages belong to no article"))
            _keywords(db, file, problems)
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        problems.append(Problem(DOCUMENTS, str(file), f"not a readable SQLite database ({e})"))
        return None, None
    return chunk_ids, documents


def _keywords(db: sqlite3.Connection, file: Path, problems: list[Problem]) -> None:
    """FTS5's own check of the keyword index against the articles, on a private copy."""
    with tempfile.TemporaryDirectory(prefix="qabot-check-") as scratch:
        copy = sqlite3.connect(Path(scratch) / "copy.sqlite")
        try:
            db.backup(copy)
            copy.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as e:
            problems.append(Problem(KEYWORDS, str(file), f"the keyword index does not match the articles ({e})"))
        finally:
            copy.close()


def _vector_ids(file: Path, problems: list[Problem], *, expected: bool) -> np.ndarray | None:
    from embeddings.local.faiss_index import VectorIndex

    if not file.exists():
        if expected:
            problems.append(Problem(VECTORS, str(file), "missing, but the SQLite file holds passages"))
            return None
        return np.empty(0, dtype=np.int64)
    try:
        index = VectorIndex.load(file)
    except StoreError as e:
        problems.append(Problem(VECTORS, str(file), str(e).removeprefix(f"{file}: ")))
        return None
    return index._ids


def _compare_ids(file: Path, chunk_ids: np.ndarray, vector_ids: np.ndarray, problems: list[Problem]) -> None:
    missing = np.setdiff1d(chunk_ids, vector_ids).size
    extra = np.setdiff1d(vector_ids, chunk_ids).size
    if missing or extra:
        problems.append(Problem(VECTORS, str(file),
                                f"{missing} passages have no vector and {extra} vectors have no passage"))
