"""Archive loaders: files, folders, JSON/JSONL dumps, HTML pages, RSS/Atom feeds and article URLs."""

from qabot.archive.fetch import Fetcher, FetchResult, HttpFetcher
from qabot.archive.load import load_sources

__all__ = ["FetchResult", "Fetcher", "HttpFetcher", "load_sources"]
