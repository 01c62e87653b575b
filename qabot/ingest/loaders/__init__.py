"""Loaders: files, folders, JSON/JSONL dumps, HTML pages, RSS/Atom feeds, sitemaps and article
URLs, each turned into typed ``Article`` records (or one-line ``LoadError``s naming the source)."""

from qabot.ingest.loaders.fetch import Fetcher, FetchResult, HttpFetcher
from qabot.ingest.loaders.load import load_sources

__all__ = ["FetchResult", "Fetcher", "HttpFetcher", "load_sources"]
