"""Copying a published archive between backends, vectors included (nothing is embedded again)."""

from __future__ import annotations

from collections.abc import Iterator

from embeddings.base import Store
from embeddings.errors import StoreError
from embeddings.factory import open_store, open_writer

BATCH = 500


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def copy_archive(source: Store, target: str, *, batch: int = BATCH) -> dict[str, int]:
    """Publishes ``source``'s documents, passages (with their ids) and vectors as the whole new
    version at ``target`` (a folder or a ``postgresql://`` URL), replacing what was there."""
    manifest = source.manifest
    doc_ids = sorted(source.content_hashes())
    copied = {"documents": 0, "passages": 0}
    with open_writer(target, model_id=manifest.get("model", ""), settings=manifest.get("settings"),
                     rebuild=True) as writer:
        for part in _batches(doc_ids, batch):
            docs = source.documents(part)
            by_doc = source.passage_ids(part)
            ids = [i for doc_id in part for i in by_doc.get(doc_id, [])]
            passages = source.passages(ids)
            vectors = source.passage_vectors(ids)
            row = {pid: k for k, pid in enumerate(ids)}
            for doc_id in part:
                own = by_doc.get(doc_id, [])
                writer.put(
                    docs[doc_id], [passages[i].text for i in own],
                    vectors[[row[i] for i in own]], ids=own,
                )
                copied["passages"] += len(own)
            copied["documents"] += len(part)
        writer.commit()
    check = open_store(target, model_id=manifest.get("model") or None)
    try:
        stats = check.stats()
    finally:
        check.close()
    if (stats.documents, stats.passages) != (copied["documents"], copied["passages"]):
        raise StoreError(f"copy to {target} incomplete: {stats} after copying {copied}")
    return copied
