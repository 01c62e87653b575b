"""Ingest: archive loaders (files, JSON, HTML pages, feeds, sitemaps, the polite fetcher),
cleaning, chunking, the indexing pipeline, and maintenance of the index (reindex, check,
export, migrate). Articles go in; a new published index version comes out.

May import: ``embeddings``, ``qabot.text``, ``qabot.state``, ``qabot.store``, ``qabot.settings``,
``qabot.errors``, ``qabot.models``. Never ``qabot.answers``, the service or the interfaces.
"""
