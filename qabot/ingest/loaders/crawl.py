"""One round's web bookkeeping: validators in, counters, notes and new validators out.

A round reads what each URL's server said last time (ETag, Last-Modified, the sitemap's
lastmod; namespace ``validators`` of the shared state) and asks "changed since?". New
validators are only *pending* until the caller has published the index
(:meth:`Crawl.commit`): a 304 next round must never stand for an article that was not stored.
A feed's or sitemap's own validators are kept only when every entry in it loaded, so a page
that failed once is tried again even though its feed has not changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qabot.ingest.loaders.fetch import Fetcher, FetchResult, Validators
from qabot.ingest.loaders.hosts import HostPolicy
from qabot.models import LoadError

if TYPE_CHECKING:
    from qabot.state import StateStore

NS = "validators"


@dataclass(frozen=True)
class NotModified:
    """A page the server (304) or the sitemap (same lastmod) says is unchanged: nothing to do."""

    article_id: str
    source: str


@dataclass
class Crawl:
    """What loaders share during one round. ``state`` None: no conditional requests at all."""

    fetcher: Fetcher
    state: StateStore | None = None
    policy: HostPolicy | None = None  # the fetcher's, so links in a local file can be trusted
    held: frozenset[str] = frozenset()  # article ids in the live index
    containers_conditional: bool = True  # False when pruning: every listed URL must be seen
    fetched: int = 0
    not_modified: int = 0
    fallbacks: list[LoadError] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)  # article URLs some source listed this round
    _pending: dict[str, dict] = field(default_factory=dict)
    _spoiled: set[str] = field(default_factory=set)  # sources with a failed entry
    _group: dict[str, str] = field(default_factory=dict)  # container URL -> its source

    def trust(self, url: str) -> None:
        """Allow ``url``'s host: it came from the operator (a configured URL, a link in a local file)."""
        if self.policy is not None:
            self.policy.trust(url)

    def record_of(self, url: str) -> dict | None:
        """What was kept about ``url`` when it still holds for the live index, else None."""
        if self.state is None or not self.held:
            return None
        record = self.state.get(NS, url)
        if record is None:
            return None
        article = record.get("article_id")
        return record if not article or article in self.held else None

    def fetch(self, url: str, *, conditional: bool = True) -> FetchResult:
        """GET ``url`` (conditionally when validators are kept); counts downloads and 304s."""
        record = self.record_of(url) if conditional else None
        validators = Validators(record.get("etag", ""), record.get("last_modified", "")) if record else None
        result = self.fetcher.get(url, validators=validators) if validators else self.fetcher.get(url)
        if result.not_modified:
            self.not_modified += 1
        else:
            self.fetched += 1
        return result

    def remember(
        self, url: str, validators: Validators, *, kind: str, article_id: str = "", lastmod: str = "",
        source: str = "",
    ) -> None:
        """Keep ``url``'s validators once the round is published (nothing worth keeping: no-op).

        ``kind``: "page" (``article_id`` is what it gave), "feed" or "sitemap" (``source``: the
        configured source it belongs to, see :meth:`spoil`).
        """
        if self.state is None or not (validators.etag or validators.last_modified or lastmod):
            return
        self._pending[url] = {
            "kind": kind, "etag": validators.etag, "last_modified": validators.last_modified,
            "lastmod": lastmod, "article_id": article_id,
        }
        if kind != "page":
            self._group[url] = source or url

    def spoil(self, source: str) -> None:
        """An entry under ``source`` failed: keep none of its feeds' or sitemaps' validators."""
        self._spoiled.add(source)

    def commit(self) -> None:
        """Store pending validators; call after the index was published (or had nothing to publish)."""
        if self.state is None:
            return
        for url, record in self._pending.items():
            if self._group.get(url) not in self._spoiled:
                self.state.put(NS, url, record)
        self._pending.clear()
