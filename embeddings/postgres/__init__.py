"""The PostgreSQL backend: pgvector (HNSW, cosine) and full-text search (tsvector, GIN, unaccent).

Selected by a ``postgresql://`` location. Needs ``psycopg`` (3) and ``pgvector``:
``pip install 'qabot[postgres]'``.
"""

from embeddings.postgres.store import PostgresStore, PostgresWriter

__all__ = ["PostgresStore", "PostgresWriter"]
