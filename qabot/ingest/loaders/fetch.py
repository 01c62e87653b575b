"""HTTP fetching behind one small class, so feeds, sitemaps and pages share one polite client.

``HttpFetcher.get(url, validators=...)`` is the whole interface. Behind it: robots.txt per
host (cached), a configurable User-Agent, a per-host limit on concurrent requests and a
minimum delay between them, redirects followed by hand (bounded, loops named, each hop checked
against the host policy), retries of 429 and 5xx with backoff honouring ``Retry-After``, a
deadline on the whole download (``QABOT_FETCH_TIMEOUT``: a server dripping a byte every few
seconds is cut off, at worst one read timeout late) and a size cap (``QABOT_MAX_FILE_MB``).
Conditional requests: given an ETag or Last-Modified, a 304 comes back as ``status == 304``
with no content, so the caller skips parsing and embedding.
"""

from __future__ import annotations

import email.utils
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin

from qabot.errors import SourceError
from qabot.ingest.loaders.hosts import HostPolicy, host_of
from qabot.ingest.loaders.robots import RobotsCache

if TYPE_CHECKING:
    import httpx

    from qabot.settings import Settings

USER_AGENT = "qabot/0.1 (news archive indexer)"
MAX_REDIRECTS = 5
RETRY_BASE_SECONDS = 1.0
MAX_RETRY_WAIT = 10.0  # a Retry-After longer than this fails the URL for this round instead
ROBOTS_MAX_BYTES = 512 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Validators:
    """What a server said about a URL's version last time, sent back to ask "changed since?"."""

    etag: str = ""
    last_modified: str = ""

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    content: bytes
    content_type: str
    status: int = 200
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


class FetchError(SourceError):
    """An HTTP error status; ``status`` lets pruning tell "gone" (404/410) from "broken"."""

    def __init__(self, message: str, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class Fetcher(Protocol):
    def get(self, url: str, validators: Validators | None = None) -> FetchResult:
        """Fetch ``url``; raise :class:`SourceError` with a one-line reason when that fails."""
        ...


class _HostGate:
    """At most ``limit`` requests in flight per host, starts at least ``delay`` seconds apart."""

    def __init__(self, limit: int, delay: float) -> None:
        self._limit, self._delay = limit, delay
        self._lock = threading.Lock()
        self._sems: dict[str, threading.Semaphore] = {}
        self._next: dict[str, float] = {}

    def enter(self, host: str, extra_delay: float = 0.0) -> threading.Semaphore:
        with self._lock:
            sem = self._sems.setdefault(host, threading.Semaphore(self._limit))
        sem.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + max(self._delay, extra_delay)
        if start > now:
            time.sleep(start - now)
        return sem


class HttpFetcher:
    """The production fetcher (httpx). ``policy`` None allows every host (a caller's choice)."""

    def __init__(self, settings: Settings, policy: HostPolicy | None = None) -> None:
        import httpx

        self.policy = policy
        self._max_bytes = int(settings.max_file_mb * 1024 * 1024)
        self._timeout = settings.fetch_timeout
        self._retries = settings.fetch_retries
        self._agent = settings.user_agent or USER_AGENT
        self._client = httpx.Client(
            timeout=settings.fetch_timeout, follow_redirects=False, headers={"User-Agent": self._agent}
        )
        self._gate = _HostGate(settings.fetch_per_host, settings.fetch_delay)
        self._robots = RobotsCache(self._agent, self._get_robots)

    def get(self, url: str, validators: Validators | None = None) -> FetchResult:
        visited = [url]
        current = url
        while True:
            self._check(current)
            result, location = self._with_retries(current, validators)
            if location is None:
                return result
            current = urljoin(current, location)
            if current in visited:
                raise SourceError(f"redirect loop ({len(visited)} hops, back to {current})")
            if len(visited) > MAX_REDIRECTS:
                raise SourceError(f"too many redirects (over {MAX_REDIRECTS})")
            visited.append(current)

    def _check(self, url: str) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise SourceError(f"unsupported URL {url!r} (use http or https)")
        if self.policy is not None:
            self.policy.check(url)
        if not self._robots.allowed(url):
            raise SourceError("refused by the site's robots.txt")

    def _with_retries(self, url: str, validators: Validators | None) -> tuple[FetchResult, str | None]:
        attempt = 0
        while True:
            try:
                return self._once(url, validators)
            except FetchError as e:
                retryable = e.status == 429 or e.status >= 500
                wait = RETRY_BASE_SECONDS * 2**attempt if e.retry_after is None else e.retry_after
                if not retryable or attempt >= self._retries:
                    raise
                if wait > MAX_RETRY_WAIT:
                    raise FetchError(f"{e} (Retry-After {wait:g}s is longer than {MAX_RETRY_WAIT:g}s)", e.status) from e
                time.sleep(wait)
                attempt += 1

    def _once(self, url: str, validators: Validators | None) -> tuple[FetchResult, str | None]:
        import httpx

        headers = validators.headers() if validators else {}
        sem = self._gate.enter(host_of(url), min(self._robots.crawl_delay(url), MAX_RETRY_WAIT))
        deadline = time.monotonic() + self._timeout  # from the request on: connecting counts too
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in _REDIRECTS and response.headers.get("location"):
                    return _result(response, b""), response.headers["location"]
                if response.status_code == 304:
                    return _result(response, b""), None
                if response.status_code >= 400:
                    raise _status_error(response)
                return _result(response, self._read_capped(response, deadline)), None
        except httpx.TimeoutException as e:
            raise SourceError(f"timed out after {self._timeout:g}s") from e
        except httpx.InvalidURL as e:
            raise SourceError(f"invalid URL: {e}") from e
        except httpx.HTTPError as e:
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            kind = "TLS error" if "SSL" in reason or "certificate" in reason.lower() else "unreachable"
            raise SourceError(f"{kind}: {reason}") from e
        finally:
            sem.release()

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise SourceError(f"too large: {int(declared) / 1048576:.1f} MB over the {_mb(self._max_bytes)} cap")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > self._max_bytes:
                raise SourceError(f"too large: over the {_mb(self._max_bytes)} cap")
            if time.monotonic() > deadline:
                raise SourceError(f"timed out after {self._timeout:g}s (download too slow)")
            chunks.append(chunk)
        return _decoded(response, b"".join(chunks), self._max_bytes)

    def _get_robots(self, robots_url: str) -> tuple[int, bytes]:
        with self._client.stream("GET", robots_url) as response:
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > ROBOTS_MAX_BYTES:
                    break
            return response.status_code, body

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _result(response: httpx.Response, content: bytes) -> FetchResult:
    return FetchResult(
        url=str(response.url),
        content=content,
        content_type=response.headers.get("content-type", ""),
        status=response.status_code,
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
    )


def _decoded(response: httpx.Response, raw: bytes, max_bytes: int) -> bytes:
    """Undo Content-Encoding ourselves, so the size cap holds for the decoded bytes too."""
    encoding = response.headers.get("content-encoding", "").lower().strip()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise SourceError(f"unsupported Content-Encoding {encoding!r}")
    import zlib

    inflater = zlib.decompressobj(47 if encoding != "deflate" else 15)
    try:
        out = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as e:
        raise SourceError(f"corrupt {encoding} body: {e}") from e
    if len(out) > max_bytes:
        raise SourceError(f"too large: over the {_mb(max_bytes)} cap once decompressed")
    return out


def _status_error(response: httpx.Response) -> FetchError:
    return FetchError(
        f"HTTP {response.status_code} {response.reason_phrase}".strip(),
        response.status_code,
        _retry_after(response.headers.get("retry-after", "")),
    )


def _retry_after(value: str) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _mb(size: int) -> str:
    return f"{size / 1048576:g} MB"
