"""The local storage backend: FAISS + SQLite (FTS5) in a versioned folder with an atomic switch."""

from embeddings.local.store import LocalStore, LocalWriter

__all__ = ["LocalStore", "LocalWriter"]
