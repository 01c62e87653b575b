"""Which hosts the fetcher may visit: the configured sources' own, plus any a setting allows.

A feed or sitemap can list any URL. Left unchecked, one compromised or careless source could
send the indexer to another site, or to an address inside the network it runs in (a metadata
service, an admin page). So links are followed only to the hosts of the configured sources
(and their subdomains, so ``example.com`` covers ``www.example.com``); ``QABOT_FETCH_ALLOW_HOSTS``
adds hosts (``*`` any host). A host reached only through that setting must still resolve to a
public address, unless a configured source itself lives on a private or loopback address.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from qabot.errors import SourceError


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _base(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def is_private_host(host: str) -> bool:
    """True when ``host`` is, or resolves to, a loopback, private, link-local or reserved address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False  # unresolvable: the fetch itself will say so
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return True
    return False


class HostPolicy:
    """Decides, per URL, whether fetching it is allowed; thread-safe."""

    def __init__(self, sources: Iterable[str] = (), allow: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._trusted: set[str] = set()
        self._extra = {h.strip().lower() for h in allow if h.strip()}
        self._private_ok = False
        for source in sources:
            self.trust(source)

    def trust(self, url: str) -> None:
        """Allow ``url``'s host (and its subdomains): a configured source, or a link in a local file."""
        host = host_of(url)
        if not host:
            return
        with self._lock:
            if _base(host) not in self._trusted:
                self._trusted.add(_base(host))
                self._private_ok = self._private_ok or is_private_host(host)

    def check(self, url: str) -> None:
        """Raise SourceError (one line, naming the host) when ``url`` may not be fetched."""
        host = host_of(url)
        if not host:
            raise SourceError("URL has no host")
        if self._matches(host, self._trusted):
            return
        if "*" in self._extra or self._matches(host, self._extra):
            if not self._private_ok and is_private_host(host):
                raise SourceError(f"refused: {host} is a private or loopback address")
            return
        raise SourceError(
            f"refused: {host} is not the host of a configured source "
            "(QABOT_FETCH_ALLOW_HOSTS allows more hosts)"
        )

    def _matches(self, host: str, bases: set[str]) -> bool:
        with self._lock:
            return any(host == b or host.endswith("." + b) or _base(host) == b for b in bases)
